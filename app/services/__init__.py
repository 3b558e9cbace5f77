"""Use cases over the models: what a person can do, checked and audited in one place."""
