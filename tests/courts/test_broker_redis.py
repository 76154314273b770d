"""The Redis beside the queues is the broker's, also behind Sentinel (README, "Past one machine")."""

from unittest import mock

from django.test import override_settings

from courts import broker_redis


@override_settings(CELERY_BROKER_TRANSPORT_OPTIONS={"master_name": "tracker", "visibility_timeout": 3600})
def test_a_sentinel_broker_url_gives_a_client_of_the_master_the_sentinels_name():
    url = "sentinel://:s3cret@10.0.0.1:26379/2;sentinel://10.0.0.2:26380;sentinel://s3"
    with mock.patch("redis.sentinel.Sentinel") as sentinel:
        client = broker_redis.client_for.__wrapped__(url)
    sentinel.assert_called_once_with(
        [("10.0.0.1", 26379), ("10.0.0.2", 26380), ("s3", 26379)], socket_timeout=2
    )
    sentinel.return_value.master_for.assert_called_once_with(
        "tracker", db=2, password="s3cret", socket_timeout=2
    )
    assert client is sentinel.return_value.master_for.return_value


def test_a_plain_or_socket_url_is_a_plain_client():
    assert (
        broker_redis.client_for.__wrapped__("redis://127.0.0.1:6379/3").connection_pool.connection_kwargs[
            "db"
        ]
        == 3
    )
    socket = broker_redis.client_for.__wrapped__("redis+socket:///tmp/r.sock")
    assert socket.connection_pool.connection_kwargs["path"] == "/tmp/r.sock"
