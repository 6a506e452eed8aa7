"""Pages of the training app: public (verification, open cohorts), the person's own, staff."""
