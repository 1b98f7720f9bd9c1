"""Shared fixtures: a small hand-written seed set, and warehouses built from it and from the
real corpus beside the project (when it is there)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
EVERYDAY_AI = SHARED / "corpora" / "everyday-ai"


def article_key(canonical_url: str) -> str:
    """Independent of the SQL macro on purpose: the first 16 hex digits of sha256."""
    return hashlib.sha256(canonical_url.encode()).hexdigest()[:16]


# name -> bytes; each row stands for a kind of file seen in real seed collections
TINY_SEEDS: dict[str, bytes] = {
    # a full article: offset time, quoted number, heat -1, tracking params, topics needing care,
    # and a related item that is itself in the corpus (sub/b.txt) under a tracking URL
    "a.md": """---
category: news
title: "Robots learn to fold laundry"
excerpt: "A lab shows a robot folding towels."
publishedDateTime: 2021-03-09T10:00:00+02:00
webUrl: "HTTPS://WWW.ExampleTimes.com:443/news/one/?utm_source=tw&id=7#top"
type: article
quality: "42"
heat: -1
published: false
ampWebUrl: "https://www.exampletimes.com/amp/news/one"
provider:
  name: Example Times
  domain: www.ExampleTimes.com
  authors:
    - name: Ada Writer
topics:
  - " AI "
  - AI
  - No
  - Machine Learning
images:
  - url: "https://img.exampletimes.com/1.jpg"
    width: 1200
    height: "630"
related:
  - title: "Laundry robots arrive"
    publishedDateTime: 2021-03-10T12:00:00Z
    webUrl: "https://news.example.org/robots?utm_medium=social"
    provider:
      name: Example News
      domain: news.example.org
    quality: 30
  - title: "Folding, explained"
    publishedDateTime: 2021-03-09T09:00:00Z
    webUrl: "https://www.nature.com/articles/x1?hss_channel=tw-1"
    provider:
      name: Nature
      domain: nature.com
    quality: 37
secured: "opaque;token=="
---
Body text.
""".encode(),
    # Windows line endings and a byte-order mark; date-only time; a scalar where a list belongs
    "sub/b.txt": (
        "\ufeff---\r\ntitle: Laundry robots arrive\r\npublishedDateTime: 2021-03-10\r\n"
        "webUrl: https://news.example.org/robots\r\nprovider:\r\n  name: Example News\r\n"
        "  domain: news.example.org\r\ntopics: Robotics\r\npublished: yes\r\nheat: 12\r\n---\r\n"
    ).encode("utf-8"),
    # the same article as a.md under another file name (a syndication copy)
    "c.md": b"---\ntitle: Robots learn to fold laundry (copy)\nwebUrl: https://www.exampletimes.com/news/one?id=7\n---\n",
    # a README dropped into the seeds folder
    "d.md": b"# Not a seed\n\nJust notes.\n",
    # the closing --- was lost
    "e.md": b"---\ntitle: Half a file\nwebUrl: https://x.example.com/a\n",
    # a profile page, not a news item
    "f.md": b"---\nname: Jane Doe\nwebsite: https://jane.example.com\n---\n",
    # a scraped link that is not a web page
    "g.md": b"---\ntitle: Click me\nwebUrl: javascript:alert(1)\n---\n",
    # front matter that is a list
    "h.md": b"---\n- one\n- two\n---\n",
    # broken YAML on line 3 of the file
    "i.md": b"---\ntitle: fine\nexcerpt: [unclosed\n---\n",
}


def write_seeds(root: Path, seeds: dict[str, bytes]) -> Path:
    for name, data in seeds.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture(scope="session")
def tiny_seeds(tmp_path_factory) -> Path:
    return write_seeds(tmp_path_factory.mktemp("tiny_seeds"), TINY_SEEDS)


@pytest.fixture(scope="session")
def warm_ge():
    """One Great Expectations process for the builds that only make a warehouse for tests to read,
    kept running between them as `seedhouse watch` keeps one: each build of its own would spend
    seconds importing GE again. Tests of a build's own GE process do not use it."""
    from pipeline import quality

    process = quality.new_ge_process()
    yield process
    process.close()


def built_warehouse(seeds: Path, directory: Path, ge=None) -> Path:
    """A published warehouse built by the real Dagster graph from `seeds` (validated in `ge`, a
    running GE process such as `warm_ge`, when given; else the build starts its own)."""
    from pipeline.build import run_build

    path = directory / "seedhouse.duckdb"
    report = run_build(seeds, path, ge=ge)
    assert report.published, (report.errors, [f.describe() for f in report.failed_checks])
    return path


@pytest.fixture(scope="session")
def tiny_warehouse(tiny_seeds, tmp_path_factory, warm_ge) -> Path:
    return built_warehouse(tiny_seeds, tmp_path_factory.mktemp("tiny_wh"), warm_ge)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory, warm_ge) -> Path:
    """The sample seeds in `seeds/` built once for the tests that only read the result (the
    README's examples, docs/warehouse.md)."""
    from pipeline.paths import DEFAULT_SEEDS_ROOT

    return built_warehouse(DEFAULT_SEEDS_ROOT, tmp_path_factory.mktemp("sample_wh"), warm_ge)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not EVERYDAY_AI.is_dir():
        pytest.skip(f"the real corpus is not beside the project ({EVERYDAY_AI} is absent)")
    return EVERYDAY_AI


@pytest.fixture(scope="session")
def corpus_warehouse(corpus, tmp_path_factory, warm_ge) -> Path:
    return built_warehouse(corpus, tmp_path_factory.mktemp("corpus_wh"), warm_ge)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


@contextmanager
def dagster_ui(home: Path, *, command: str = "dagster", **settings: str):
    """`dagster dev` (or `dg dev`, `command="dg"`) from the project root on a free loopback port,
    its instance in `home`; `settings` are environment variables for the code location
    (SEEDHOUSE_WAREHOUSE, SEEDHOUSE_SEEDS, SEEDHOUSE_EXPECTATIONS). Yields the port; stopped here."""
    port = free_port()
    home.mkdir(exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(home), "GX_ANALYTICS_ENABLED": "false", **settings}
    executable = Path(sys.executable).with_name(command)
    process = subprocess.Popen(
        [str(executable), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                graphql(port, "{ version }")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"{command} dev did not start") from None
                time.sleep(1)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def without_keys(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rebuild `table` as a table without keys, and first, the same way, the tables whose foreign
    keys reference it (DuckDB refuses to drop a referenced table): a test can then break what the
    keys would refuse (a duplicate article, a NULL key), to see the checks report it."""
    schema, name = table.split(".")
    referencing = con.execute(
        "select distinct schema_name || '.' || table_name from duckdb_constraints() "
        "where constraint_type = 'FOREIGN KEY' and schema_name = ? and referenced_table = ?",
        [schema, name],
    ).fetchall()
    for (child,) in referencing:
        without_keys(con, child)
    con.execute(f"create table {schema}.{name}__unkeyed as select * from {table}")
    con.execute(f"drop table {table}")
    con.execute(f"alter table {schema}.{name}__unkeyed rename to {name}")


@pytest.fixture()
def dagster_dev(tmp_path):
    """`dagster dev` showing a warehouse of its own under `tmp_path`, built from the sample seeds
    (the sensor builds it), never the checkout's."""
    with dagster_ui(
        tmp_path / "dagster_home",
        SEEDHOUSE_WAREHOUSE=str(tmp_path / "ui_warehouse" / "seedhouse.duckdb"),
        SEEDHOUSE_SEEDS=str(PROJECT / "seeds"),
    ) as port:
        yield port


# -- object storage: a real S3 endpoint (moto's server) on the loopback ------------------------------------

S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
    # never ask the instance metadata service or a developer's own profile for credentials
    "AWS_EC2_METADATA_DISABLED": "true", "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_CONFIG_FILE": os.devnull,
}


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1 (a free port), for the session: its endpoint URL."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture()
def s3(s3_server, monkeypatch, request):
    """The standard AWS environment pointed at the moto server, and a fresh bucket of this test's
    own (named after it): yields the bucket's name."""
    import s3fs

    for name, value in {**S3_ENV, "AWS_ENDPOINT_URL": s3_server}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = "b-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    s3fs.S3FileSystem.clear_instance_cache()
    s3fs.S3FileSystem().mkdir(bucket)
    yield bucket
    s3fs.S3FileSystem.clear_instance_cache()


def upload(folder: Path, url: str) -> None:
    """Copy every file under `folder` to the objects under `url` (same relative keys)."""
    import s3fs

    fs = s3fs.S3FileSystem()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    fs.put([str(p) for p in files], [f"{url.removeprefix('s3://')}/{p.relative_to(folder).as_posix()}" for p in files])
