"""An async parent fanning out over groups of children, a map over a partial, and a sync parent's calls."""

import asyncio
from functools import partial
from typing import List

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="orders", resources=flyte.Resources(cpu=1, memory="500Mi"))


@env.task
async def price(item: str, quantity: int) -> float:
    await asyncio.sleep(0.01)
    return {"apple": 0.5, "pear": 0.75, "fig": 2.0}[item] * quantity


@env.task
def with_tax(amount: float, rate: float) -> float:
    return round(amount * (1 + rate), 2)


@env.task
def receipt(total: float, currency: str, lines: int) -> str:
    return f"{lines} lines, {total:.2f} {currency}"


@env.task
async def checkout(quantity: int) -> List[float]:
    with flyte.group("fruit"):
        fruit = await asyncio.gather(*(price(item, quantity) for item in ["apple", "pear"]))
    with flyte.group("treats"):
        treats = await asyncio.gather(price("fig", quantity))
    taxed = [t async for t in flyte.map.aio(partial(with_tax, rate=0.1), [*fruit, *treats])]
    print(await receipt.aio(sum(taxed), "EUR", lines=len(taxed)))
    return taxed


@env.task
def summary(quantity: int) -> str:
    # A sync parent: its calls run inline (on Flyte 1, in its own pod).
    return receipt(with_tax(10.0 * quantity, 0.2), "USD", 1)


if __name__ == "__main__":
    flyte.init_from_config()
    run = flyte.run(checkout, quantity=4)
    print(run.outputs())
    print(flyte.with_runcontext(mode="local").run(summary, 2).outputs()[0])
