"""The token buckets: the per-session rate limit of class answers, and the refill the store's join bucket uses."""

from hypothesis import given
from hypothesis import strategies as st

from server.limits import KeyedLimits, RateLimit, refill, wait_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_one_action_per_period():
    clock = Clock()
    limit = RateLimit(burst=3, every=2.0, clock=clock)
    assert [limit.allow() for _ in range(4)] == [True, True, True, False]
    assert limit.wait() == 2.0
    clock.now += 1.0
    assert not limit.allow() and limit.wait() == 1.0
    clock.now += 1.0
    assert limit.allow() and not limit.allow()


def test_the_bucket_never_holds_more_than_the_burst():
    clock = Clock()
    limit = RateLimit(burst=2, every=1.0, clock=clock)
    clock.now += 1000.0
    assert [limit.allow() for _ in range(3)] == [True, True, False]


def test_a_loop_sending_answers_gets_few_through():
    clock = Clock()
    limit = RateLimit(clock=clock)  # the page's own limits
    allowed = 0
    for _ in range(1000):  # a script: 1000 answers in 10 s
        clock.now += 0.01
        allowed += limit.allow()
    assert allowed <= limit.burst + 10 / limit.every + 1
    assert allowed >= limit.burst  # a student changing their mind a few times gets through


def test_refill_adds_one_token_per_period_up_to_the_burst():
    assert refill(0.0, 10.0, 11.0, burst=60, every=0.5) == 2.0
    assert refill(59.5, 10.0, 11.0, burst=60, every=0.5) == 60.0
    assert refill(3.0, 10.0, 10.0, burst=60, every=0.5) == 3.0
    assert refill(0.25, 10.0, 5.0, burst=60, every=0.5) == 0.25  # a clock that went back takes nothing away


def test_the_wait_is_what_one_token_lacks():
    assert wait_for(0.0, 0.5) == 0.5
    assert wait_for(0.5, 2.0) == 1.0
    assert wait_for(1.0, 2.0) == wait_for(7.0, 2.0) == 0.0


@given(burst=st.integers(1, 50), every=st.floats(0.01, 10.0),
       steps=st.lists(st.floats(0.0, 5.0, allow_nan=False), max_size=200))
def test_no_pace_gets_more_than_the_burst_and_the_rate(burst, every, steps):
    clock = Clock()
    limit = RateLimit(burst=burst, every=every, clock=clock)
    start, allowed = clock.now, 0
    for step in steps:
        clock.now += step
        allowed += limit.allow()
        assert 0.0 <= limit._tokens <= burst
        assert limit.wait() <= every
    assert allowed <= burst + (clock.now - start) / every + 1e-9


def test_keyed_limits_keep_each_key_apart_and_forget_the_oldest_past_their_bound():
    now = [0.0]
    limits = KeyedLimits(burst=2, every=10.0, most=3, clock=lambda: now[0])
    assert limits.allow("a") and limits.allow("a") and not limits.allow("a")  # a's two, then no more
    assert limits.allow("b")  # b has its own bucket
    assert limits.wait("a") == 10.0 and limits.wait("nobody") == 0.0
    for key in "cde":
        limits.allow(key)
    assert len(limits) == 3  # a and b forgotten: a script of many addresses cannot grow it
    assert limits.allow("a")  # forgotten, a starts afresh
    now[0] = 100.0
    assert limits.allow("c") and limits.allow("c")


def test_spent_looks_without_taking_and_sees_the_bucket_refilled():
    now = [0.0]
    limits = KeyedLimits(burst=2, every=10.0, clock=lambda: now[0])
    assert not limits.spent("a") and not limits.spent("a")  # looking takes nothing
    limits.allow("a"), limits.allow("a")
    assert limits.spent("a") and limits.wait("a") == 10.0
    now[0] = 4.0
    assert limits.spent("a") and limits.wait("a") == 6.0  # the wait counts down with the clock
    now[0] = 10.0
    assert not limits.spent("a") and limits.allow("a")
