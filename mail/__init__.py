"""Mail providers and message understanding. Qt-free."""
