"""Tasks that write decks, executed twice by ``tests/twins.py``: with flytekit's decorators and flytekit_ext's.

``task`` and ``eager`` are injected before this module runs. The type plugins are real: pandera's transformer
writes a report deck while it converts a value, polars' dataframes and deck-standard's renderers are rendered
into the input and output decks. Every deck but the dependencies deck is written (flytekit runs pip in a
subprocess for that one, seconds per call; tests/test_decks.py checks it on its own).
"""

# ruff: noqa: F821 - task and eager are injected by tests/twins.py
import asyncio

import pandas as pd
import pandera as pa
import polars as pl
from flytekit import workflow
from flytekit.deck import DeckField
from flytekitplugins.deck.renderer import TableRenderer
from pandera.typing import DataFrame, Series
from typing_extensions import Annotated

DECKS = (DeckField.SOURCE_CODE, DeckField.TIMELINE, DeckField.INPUT, DeckField.OUTPUT)


class Counts(pa.DataFrameModel):
    count: Series[int]


@task(enable_deck=True, deck_fields=DECKS)
def tripled(x: int) -> int:
    return x * 3


@workflow
def tripled_twice(x: int) -> int:
    return tripled(x=tripled(x=x))


@task
async def plus_one(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1


@eager(deck_fields=DECKS)
async def gathered(n: int) -> int:
    return sum(await asyncio.gather(*(plus_one(x=i) for i in range(n))))


@task(enable_deck=True, deck_fields=DECKS)
def doubled_counts(df: DataFrame[Counts]) -> DataFrame[Counts]:
    return df * 2


@workflow
def doubled_counts_wf(df: DataFrame[Counts]) -> DataFrame[Counts]:
    return doubled_counts(df=df)


@eager(deck_fields=DECKS)
async def doubled_counts_eager(df: DataFrame[Counts]) -> int:
    doubled = doubled_counts(df=df)
    return int(doubled["count"].sum())


@task(enable_deck=True, deck_fields=DECKS)
def polars_total(df: pl.DataFrame) -> int:
    return int(df["count"].sum())


@task(enable_deck=True, deck_fields=DECKS)
def as_table(n: int) -> Annotated[pd.DataFrame, TableRenderer()]:
    return pd.DataFrame({"count": list(range(n))})
