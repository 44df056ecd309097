"""Faults caused for real: an S3 endpoint behind a TCP proxy that can refuse or hang, a Redis
of the suite's own (never the shared one) that can be stopped and started again, Celery
workers that can be killed with SIGKILL. Short time-outs come in through settings."""

import shutil
import threading
import time
import uuid
from contextlib import contextmanager

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from tests.conftest import require_service
from tests.faultkit import FaultyProxy, OwnRedis


@pytest.fixture
def moto():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield (host, port)
    server.stop()


@pytest.fixture
def faulty_s3(moto):
    """A bucket on moto, reached through a FaultyProxy; yields (proxy, boto3 client)."""
    proxy = FaultyProxy(moto)
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{moto[0]}:{moto[1]}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="faults")
    client.bucket = "faults"
    yield proxy, client
    proxy.close()


@pytest.fixture
def own_redis(tmp_path):
    require_service(
        "redis-server", shutil.which("redis-server") is not None, "apt-get install redis-server"
    )
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def s3_env(proxy: FaultyProxy, **extra: str) -> dict[str, str]:
    """What a server needs to store through the proxy, with short time-outs."""
    return {
        "AWS_S3_BUCKET_NAME": "faults",
        "AWS_ENDPOINT_URL_S3": proxy.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_S3_CONNECT_TIMEOUT": "1",
        "AWS_S3_READ_TIMEOUT": "1.5",
        "STORAGE_BREAKER_FAILURES": "3",
        "STORAGE_BREAKER_SECONDS": "2",
        **extra,
    }


def bucket_keys(client) -> set[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=client.bucket)
    return {obj["Key"] for page in pages for obj in page.get("Contents", [])}


def new_id() -> str:
    return str(uuid.uuid4())


@contextmanager
def keep_calling(url: str, headers: dict, every: float = 0.05):
    """Call `url` again and again in the background; yields the list of status codes."""
    codes: list[int] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                codes.append(requests.get(url, headers=headers, timeout=10).status_code)
            except requests.RequestException:
                codes.append(0)
            time.sleep(every)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield codes
    finally:
        stop.set()
        thread.join(15)
