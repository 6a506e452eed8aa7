"""Open Badges 3.0 verifiable credentials for certifications and completions (issue 19).

`contexts` ships the JSON-LD contexts and the loader that refuses the network; `keys` the
issuer's Ed25519 keys and its did:web document; `proofs` the Data Integrity proof
(eddsa-rdfc-2022); `status` the Bitstring Status Lists; `documents` builds the credentials;
`verify` checks one; `baking` puts one into a PNG badge."""
