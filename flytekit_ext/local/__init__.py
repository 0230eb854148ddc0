"""The fast local path: context handling, event loops and threads, literal round trips, decks."""
