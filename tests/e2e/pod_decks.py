"""The same task twice, once flytekit's and once flytekit_ext's, with decks, for ``pyflyte-execute`` to run."""

import flytekit
from flytekit.deck import DeckField

import flytekit_ext

# Every deck but the dependencies deck (flytekit's runs pip in a subprocess; its names are compared elsewhere).
DECKS = (DeckField.SOURCE_CODE, DeckField.TIMELINE, DeckField.INPUT, DeckField.OUTPUT)


@flytekit.task(enable_deck=True, deck_fields=DECKS)
def flytekit_tripled(x: int) -> int:
    return x * 3


@flytekit_ext.task(enable_deck=True, deck_fields=DECKS)
def ext_tripled(x: int) -> int:
    return x * 3
