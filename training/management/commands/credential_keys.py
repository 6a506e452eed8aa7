"""Manage the Ed25519 keys that sign digital credentials (the folder KAKEHASHI_CREDENTIAL_KEYS_DIR).

  credential_keys list            every key, newest first: id, Multikey, whether it can still sign
  credential_keys create          make the first key (refused if one can already sign)
  credential_keys rotate          make a new key that signs from now on; older keys stay listed
  credential_keys retire KEY_ID   delete a key's private half; its public half stays listed, so
                                  what it signed still verifies
"""

from django.core.management.base import BaseCommand, CommandError

from training.badges.keys import key_create, key_retire, keyring, keys_dir


class Command(BaseCommand):
    help = "Create, rotate, list and retire the keys that sign digital credentials."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "create", "rotate", "retire"])
        parser.add_argument("key_id", nargs="?")

    def handle(self, *args, action, key_id=None, **options):
        if action == "list":
            for key in keyring():
                state = "signs" if key.private_key is not None else "public only"
                self.stdout.write(f"{key.key_id}  {key.multibase}  {state}")
            return
        if action == "retire":
            if not key_id:
                raise CommandError("Name the key to retire.")
            current = next((k for k in keyring() if k.private_key is not None), None)
            if current is not None and key_id == current.key_id:
                raise CommandError("This key signs now: rotate first, then retire it.")
            try:
                key_retire(key_id)
            except FileNotFoundError as error:
                raise CommandError(f"No private key {key_id} in {keys_dir()}.") from error
            self.stdout.write(f"retired {key_id}")
            return
        if action == "create":
            existing = next((k for k in keyring() if k.private_key is not None), None)
            if existing is not None:
                raise CommandError(f"A key already signs ({existing.key_id}): use rotate to replace it.")
        key = key_create()
        self.stdout.write(f"{key.key_id}  {key.multibase}  written to {keys_dir()}")
