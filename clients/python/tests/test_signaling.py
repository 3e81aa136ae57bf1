"""A CI rig's walk through error signaling (spec §3.4) over the control port, in virtual time."""

from hicom_control import ControlError

PBX = "HSIM-0001"
CENTRE_LINE = "0899000"  # the centre modem of the default lab; a PBX dials it as 00899000


def configure_signaling(c, interval="1"):
    c.command("pbx.kds-set", pbx=PBX, path="callback.1.number", value="0" + CENTRE_LINE)
    c.command("pbx.kds-set", pbx=PBX, path="signaling.enabled", value="yes")
    c.command("pbx.kds-set", pbx=PBX, path="signaling.interval", value=interval)


def test_busy_centre_five_failures_then_the_report(lab):
    c = lab.control
    assert c.virtual_time, "the fixture runs the lab on the virtual clock"
    configure_signaling(c)
    c.subscribe("signaling.*", "report.*", "fault.applied")

    c.command("fault.set", line=CENTRE_LINE, spec="busy=1000")
    first = c.command("pbx.raise", pbx=PBX, **{"class": "B"}, code=0x1234, text="fan failure")

    fifth = c.run_until("signaling.failed", match={"pbx": PBX, "attempt": 5}, timeout="2h")
    assert fifth is not None, "the fifth signaling attempt failed within two hours"
    assert fifth["data"]["failure"] == "busy", "the centre line was busy"
    seen = list(c.pending_events())
    attempts = [e for e in seen if e["event"] == "signaling.attempt"]
    assert [e["data"]["attempt"] for e in attempts] == [1, 2, 3, 4, 5], "five attempts, numbered"
    assert sum(1 for e in seen if e["event"] == "fault.applied" and e["data"]["fault"] == "busy") == 5, "the busy fault acted on every call"
    # Events the run caused come before its reply: the stop came at the same instant as the fifth failure.
    stopped = [e for e in seen if e["event"] == "signaling.stopped"]
    assert [e["data"]["failures"] for e in stopped] == [5], "signaling stops after five failures"

    c.command("fault.clear", line=CENTRE_LINE)
    assert c.command("fault.list", line=CENTRE_LINE) == [{"line": CENTRE_LINE, "faults": {}}], "the centre line is clean again"
    # Seed: after five failures the PBX stays silent until a new Error History entry.
    assert c.run_until("report.stored", timeout="1d") is None, "no report while signaling is stopped"

    c.command("pbx.raise", pbx=PBX, **{"class": "B"}, code=0x1235, text="fan failure again")
    stored = c.run_until("report.stored", match={"pbx": PBX}, timeout="10min")
    assert stored is not None, "the centre stored a report"
    assert stored["data"]["records"] == 2, "the new and the unsent error travel together"
    acked = c.run_until("report.acknowledged", timeout="1min")
    assert acked is not None and acked["data"]["deleted"] == 2, "the PBX deleted both after the ACK"
    assert c.command("pbx.errors", pbx=PBX) == [], "the Error History is empty"
    assert first["id"] == 1, "the first error got id 1"


def test_bad_requests_get_clear_errors_and_change_nothing(lab):
    c = lab.control
    try:
        c.command("pbx.raise", pbx=PBX, **{"class": "B"}, code="loud")
    except ControlError as err:
        assert err.code == "bad-args", "a code that is not a number is bad-args"
        assert "args.code" in err.message, f"the message names the field: {err.message}"
    else:
        raise AssertionError("pbx.raise with a text code was accepted")
    try:
        c.command("pbx.errors", pbx="HSIM-9999")
    except ControlError as err:
        assert err.code == "not-found", "an unknown PBX is not-found"
    else:
        raise AssertionError("an unknown PBX was accepted")
    reply = c.send_raw("{not json")
    assert reply["id"] is None and reply["error"]["code"] == "bad-json", f"bad JSON gets a bad-json error: {reply}"
    assert c.command("pbx.errors", pbx=PBX) == [], "the lab answers after bad JSON and its Error History is unchanged"


def test_virtual_week_runs_in_the_lab_clock(lab):
    c = lab.control
    before = c.command("clock.now")
    assert before["mode"] == "virtual", "the clock is virtual"
    assert c.run_until("report.stored", timeout="7d") is None, "nothing to report in an idle week"
    after = c.command("clock.now")
    assert after["ms"] - before["ms"] == 7 * 86_400_000, "exactly a week passed on the lab clock"
