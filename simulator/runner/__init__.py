"""A direct scenario runner: the vendor-neutral features and posim's step library, without
a pytest session per scenario (see direct.py). pytest-bdd stays the interface for users'
own feature files."""
