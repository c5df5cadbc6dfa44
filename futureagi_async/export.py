"""Export a run test's executions to files: a local directory or an object-store prefix.

    from futureagi_async.export import open_export

    async with open_export("s3://lake/evals/", run_test=name, formats=["parquet"]) as out:
        if out.finished is None:                  # else: this export already finished
            executions = await client.simulation.runs(name).collect()
            await out.begin(evals=[])             # the CSV's eval columns, if csv is asked
            ids = [e.execution_id for e in executions if e.execution_id not in out.done]
            async with client.export(name, execution_ids=ids) as records:
                async for record in records:
                    await out.write(record.execution, record.calls)
            await out.finish()

The destination is a path, or a `file://`, `s3://`, `gs://` or `az://` URL (fsspec, with
`s3fs`, `gcsfs` or `adlfs`: the `s3`, `gcs` or `azure` extra). Interrupted, however it
stops, the same code resumes where it was: no execution lost, none written twice. The
protocol, and why it needs no rename, is in `futureagi_async._export_files`; the CLI's
`export` command is this plus a progress bar.
"""

from ._export_files import FORMATS, ExportWriter, Finished, open_export
from ._export_target import ExportError
from ._parquet_dataset import calls_schema, executions_schema

__all__ = [
    "FORMATS",
    "ExportError",
    "ExportWriter",
    "Finished",
    "calls_schema",
    "executions_schema",
    "open_export",
]
