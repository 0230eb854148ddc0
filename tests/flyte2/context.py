"""Tasks that read their context, add to the custom context, log, report, and use durable time."""

from typing import Dict, List

import flytekit_ext.flyte as flyte

env = flyte.TaskEnvironment(name="context")


@env.task
async def who() -> Dict[str, str]:
    context = flyte.ctx()
    return {
        "action": context.action.name,
        "run": context.action.run_name,
        "mode": context.mode,
        "custom": ",".join(f"{k}={v}" for k, v in sorted(flyte.get_custom_context().items())),
    }


@env.task
async def parent() -> List[Dict[str, str]]:
    seen = [await who(), {"action": flyte.ctx().action.name, "run": flyte.ctx().action.run_name}]
    with flyte.custom_context(stage="inner"):
        seen.append(await who())
    seen.append(await who())
    return seen


@env.task(report=True)
def reports(x: int) -> int:
    flyte.report.log("<b>first</b>")
    flyte.report.replace("<b>only</b>")
    flyte.report.get_tab("Details").log(f"<i>{x}</i>")
    return x


@env.task
def logs(x: int) -> int:
    flyte.logger.info(f"inside {x}")
    return x


@env.task
async def durable_times() -> List[float]:
    before = flyte.durable.time()
    await flyte.durable.sleep.aio(0.2)
    after = await flyte.durable.time.aio()
    return [before, after, flyte.durable.now().timestamp()]


@env.task(retries=1)
def resumes(x: int) -> str:
    checkpoint = flyte.ctx().checkpoint
    previous = checkpoint.load_sync()
    if previous is None:
        checkpoint.save_sync(f"half of {x}".encode())
        raise ConnectionError("the first attempt fails after saving its progress")
    return (previous / "payload").read_text()
