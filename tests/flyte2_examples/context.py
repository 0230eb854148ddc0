"""What a task knows of its run, a custom context handed down, a report, and the program's own log records."""

import flytekit_ext.flyte as flyte
import flytekit_ext.flyte.report  # noqa: F401 (as a Flyte 2 program imports flyte.report)

env = flyte.TaskEnvironment(name="context")


@env.task
async def region() -> str:
    context = flyte.get_custom_context()
    return f"{context.get('team', '?')}/{context.get('region', '?')}"


@env.task(report=True)
async def survey() -> list[str]:
    here = flyte.ctx()
    flyte.logger.info("surveying")
    await flyte.report.log.aio("<h2>Regions</h2>")
    seen = [f"in a task: {bool(here)}, mode {here.mode}", await region()]
    with flyte.custom_context(region="north"):
        seen.append(await region())
    seen.append(await region())
    flyte.report.get_tab("Counts").log(f"<p>{len(seen)}</p>")
    return seen


if __name__ == "__main__":
    flyte.init_from_config()
    print(f"outside a task: {bool(flyte.ctx())}")
    for line in flyte.with_runcontext(custom_context={"team": "maps"}).run(survey).outputs()[0]:
        print(line)
