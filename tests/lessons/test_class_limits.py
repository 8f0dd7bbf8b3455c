"""The per-session rate limit of class answers."""

from lessons.classroom.limits import RateLimit


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
