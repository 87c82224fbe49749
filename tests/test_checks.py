"""The audit: tables of sentences with right and wrong arithmetic → check, status, values."""

import csv
from decimal import Decimal

import pytest

import reportmine
from reportmine.checks import CHECK_NAMES, make_figure, run_checks
from reportmine.cli import main
from reportmine.rules import RulesError, default_patterns_dir, load_rules
from tests.conftest import SAMPLES

D = Decimal
SEED_000 = SAMPLES / "000_8962da1a5d06fb49.txt"
SEED_001 = SAMPLES / "001_3852c5b6b4ca5af0.txt"


def checks(text, **kw):
    doc = reportmine.parse_text(text, **kw)
    return [(c.check, c.status.value, c.expected, c.found) for c in doc.checks]


# -- the reference paragraph of seed 000 --------------------------------------------------
def test_seed_000_paragraph_is_checked_and_ok():
    doc = reportmine.parse_file(SEED_000)
    by_start = {m.start: m for m in doc.metrics}
    got = {}
    for c in doc.checks:
        got[(c.check, tuple(by_start[s].text for s in c.metrics))] = (
            c.status.value, c.expected, c.found)
    # 7608 = 38747 − 31139 (in 元)
    assert got[("change", ("38747万元", "31139万元", "7608万元"))] == \
        ("ok", D("76080000"), D("76080000"))
    # 24.43％ = 7608 / 31139 = (38747 − 31139) / 31139
    assert got[("growth", ("38747万元", "31139万元", "24.43％"))] == \
        ("ok", D("24.4324"), D("24.43"))
    # 88.41％ = 38747 / 43827
    assert got[("share", ("38747万元", "43827万元", "88.41％"))] == \
        ("ok", D("88.4090"), D("88.41"))
    # 87.53％ = 38747 / 44265 (the completed value stands in the sentence before)
    assert got[("completion", ("38747万元", "44265万元", "87.53％"))] == \
        ("ok", D("87.5342"), D("87.53"))
    assert not [c for c in doc.checks if c.status.value != "ok"]


def test_seed_001_corrupted_numbers_are_suspect():
    doc = reportmine.parse_file(SEED_001)
    suspects = {c.texts[0]: c for c in doc.checks if c.status.value == "suspect"}
    assert set(suspects) == {"12023900元", "532023个", "2023所", "20230%", "202320237人"}
    assert all(c.check == "embedded_year" for c in suspects.values())
    assert suspects["532023个"].found == D("532023")
    assert "2023" in suspects["20230%"].message and "above 100" in suspects["20230%"].message
    assert "twice" in suspects["202320237人"].message
    assert "万 or 亿" in suspects["12023900元"].message
    assert not [c for c in doc.checks if c.status.value == "mismatch"]


def test_samples_raise_no_false_alarm(sample_docs):
    """Every non-ok row on the samples is one of seed 001's corrupted numbers."""
    bad = [(d.doc.split("/")[-1][:3], c.texts) for d in sample_docs for c in d.checks
           if c.status.value != "ok"]
    assert sorted(bad) == sorted(("001", (t,)) for t in
                                 ["12023900元", "532023个", "2023所", "20230%", "202320237人"])


# -- relations: right and wrong arithmetic ------------------------------------------------
BASE = "目前，教育财政投入完成38747万元，比上年同期31139万元"


@pytest.mark.parametrize("text,expected", [
    # change and growth, right
    (BASE + "增加7608万元，增长24.43％。", [
        ("change", "ok", D("76080000"), D("76080000")),
        ("growth", "ok", D("24.4324"), D("24.43"))]),
    # written with fewer digits: the tolerance follows them
    (BASE + "增加7608万元，增长24.4％。", [
        ("change", "ok", D("76080000"), D("76080000")),
        ("growth", "ok", D("24.432"), D("24.4"))]),
    (BASE + "增长24％。", [("growth", "ok", D("24.43"), D("24"))]),
    # wrong change, wrong growth (24.45 is beyond 24.4376, the most the operands allow)
    (BASE + "增加7708万元，增长25.43％。", [
        ("change", "mismatch", D("76080000"), D("77080000")),
        ("growth", "mismatch", D("24.4324"), D("25.43"))]),
    (BASE + "增长24.45％。", [("growth", "mismatch", D("24.4324"), D("24.45"))]),
    # a decrease: baseline − value
    ("目前，教育财政投入完成38747万元，比上年同期40000万元减少1253万元，下降3.13％。", [
        ("change", "ok", D("12530000"), D("12530000")),
        ("growth", "ok", D("3.1325"), D("3.13"))]),
    # the text says 减少 while the value is above the baseline
    (BASE + "减少7608万元。", [("change", "mismatch", D("-76080000"), D("76080000"))]),
    # no baseline stated: it is value − change
    ("教育财政投入完成38747万元，增加7608万元，增长24.43％。", [
        ("growth", "ok", D("24.4324"), D("24.43"))]),
    ("教育财政投入完成38747万元，增加7608万元，增长30％。", [
        ("growth", "mismatch", D("24.43"), D("30"))]),
    # 由A增至B
    ("學生人數由37,188 人增至47,937人，增幅29%。", [("growth", "ok", D("28.90"), D("29"))]),
    ("长者医疗券金额一次性增加1,000元，即由2,000元增至3,000元。", [
        ("change", "ok", D("1000"), D("1000"))]),
    ("入学率由95.1%提高到98.3%，提高3.2个百分点。", [("change", "ok", D("3.2"), D("3.2"))]),
    ("入学率由95.1%提高到98.3%，提高2.2个百分点。", [
        ("change", "mismatch", D("3.2"), D("2.2"))]),
    # share = part / whole
    ("教育财政投入完成38747万元，占上年总支出43827万元的88.41％。", [
        ("share", "ok", D("88.4090"), D("88.41"))]),
    ("教育财政投入完成38747万元，占上年总支出43827万元的80.41％。", [
        ("share", "mismatch", D("88.4090"), D("80.41"))]),
    # 其中…占Y%: of the total before 其中
    ("全区校长教师交流轮岗289人，其中，骨干教师121人，占41.87%。", [
        ("share", "ok", D("41.8685"), D("41.87")),
        ("parts_total", "ok", D("289"), D("121"))]),
    ("全区校长教师交流轮岗289人，其中，骨干教师121人，占51.87%。", [
        ("share", "mismatch", D("41.8685"), D("51.87")),
        ("parts_total", "ok", D("289"), D("121"))]),
    # 总数中，A（Y%）
    ("844 间学校中，469间（55.6%）各有学生，45间（5.3%）没有。", [
        ("share", "ok", D("55.569"), D("55.6")), ("share", "ok", D("5.332"), D("5.3"))]),
    ("844 间学校中，469间（45.6%）各有学生。", [("share", "mismatch", D("55.569"), D("45.6"))]),
    # completion = value / target
    ("完成投资4.92亿元，完成年度目标6.13亿元的80.3%。", [
        ("completion", "ok", D("80.261"), D("80.3"))]),
    ("完成投资4.92亿元，完成年度目标6.13亿元的90.3%。", [
        ("completion", "mismatch", D("80.261"), D("90.3"))]),
    # 5亿元 written with one digit stands for 4.5亿–5.5亿: 93.3% cannot be ruled out
    ("完成投资5亿元，完成年度目标6亿元的93.3%。", [
        ("completion", "ok", D("83.333"), D("93.3"))]),
    ("教育投入完成38747万元。财政教育投入任务（44265万元）的完成度为87.53％。", [
        ("completion", "ok", D("87.5342"), D("87.53"))]),
    # from an earlier sentence the pairing is a guess: agreement only, never a mismatch
    ("教育投入完成38747万元。财政教育投入任务（44265万元）的完成度为97.53％。", []),
    # pp = rate − rate
    ("我市合格率98.5%，比全省平均水平95.2%高3.3个百分点。", [
        ("pp_difference", "ok", D("3.3"), D("3.3"))]),
    ("我市合格率98.5%，比全省平均水平95.2%高4.3个百分点。", [
        ("pp_difference", "mismatch", D("3.3"), D("4.3"))]),
    ("我市合格率93.5%，比全省平均水平95.2%低1.7个百分点。", [
        ("pp_difference", "ok", D("1.7"), D("1.7"))]),
    # the other rate is not stated: nothing to check
    ("教育财政投入完成38747万元，占上年总支出43827万元的88.41％，高于序时进度13.41个百分点。", [
        ("share", "ok", D("88.4090"), D("88.41"))]),
    # 分别: parallel figures are not paired
    ("甲、乙两校投入分别完成300万元、200万元，比上年同期100万元分别增加200万元、100万元。", []),
    # approximate figures are not checked
    ("教育财政投入完成约38747万元，比上年同期31139万元增加7708万元。", []),
])
def test_relations(text, expected):
    assert checks(text) == expected


# -- 其中: parts and totals ---------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("新进教师347人。其中选聘优秀免费师范生66名，选调名优教师8名，公开招聘教师273名。", [
        ("parts_total", "ok", D("347"), D("347"))]),
    ("共有教师300人，其中骨干教师321人。", [("parts_total", "suspect", D("300"), D("321"))]),
    # a later item larger than the total is not a part: the list has ended
    ("新增营造林148万亩、其中南北山绿化工程43万亩，修复治理退化草原517万亩。", [
        ("parts_total", "ok", D("1480000"), D("430000"))]),
    # a subtotal (共59名) is the sum of the parts before it
    ("中考考生共182名,其中统招17名、分招32名、音体美特长生10名,共59名考生被录取。", [
        ("parts_total", "ok", D("182"), D("59")), ("parts_total", "ok", D("59"), D("59"))]),
    ("中考考生共182名,其中统招17名、分招32名、音体美特长生10名,共49名考生被录取。", [
        ("parts_total", "ok", D("182"), D("59")),
        ("parts_total", "mismatch", D("59"), D("49"))]),
    # nested: （含…）
    ("在编教职工2131人，其中幼儿园8人，高中187人，职教中心41（含双师型21）人。", [
        ("parts_total", "ok", D("2131"), D("236")), ("parts_total", "ok", D("41"), D("21"))]),
    # different measure words: not compared
    ("总投入5000万元，其中小学提质改造20所。", []),
])
def test_parts_total(text, expected):
    assert checks(text, skip_checks=["share"]) == expected


# -- suspect values -----------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("全区学校覆盖率达到120%。", [("rate_over_100", "suspect", D("100"), D("120"))]),
    ("民办学校在校生占比达到105%。", [("rate_over_100", "suspect", D("100"), D("105"))]),
    ("经费同比增长120%。", []),
    ("完成年度任务的120%。", []),
    ("全区学校覆盖率达到100%。", []),
])
def test_rate_over_100(text, expected):
    assert checks(text) == expected


@pytest.mark.parametrize("text,flagged", [
    # ordinary numbers that hold a year are not flagged
    ("2023年，全区共有学生12023人，教师800人，职工900人。", []),
    ("2023年，全区新增学位2023个，新建学校3所。", []),
    ("2023年，全区共有学生2023人，教师180人，职工150人。", []),
    ("2023年，清退违规收费12023900元。", []),   # no other amounts to compare with
    # implausible: a percent above 100, the year twice, outsized among its siblings
    ("2023年，全区20230%完成了晒课指标。", ["20230%"]),
    ("2023年，教师招聘共计202320237人报名。", ["202320237人"]),
    ("2023年，新增学位532023个，新建托位15个，改造教室12个。", ["532023个"]),
    # money in plain 元 where the document writes its amounts in 万元
    ("2023年，财政教育投入91968万元，资助总金额521.67万元，慰问总金额72.3万元。"
     "清退违规收费12023900元。", ["12023900元"]),
    # written with 万: large values are ordinary there
    ("2020年，全年接待游客2020万人次，博物馆接待3万人次，景区接待5万人次。", []),
    # a year that is not the document's is an ordinary number
    ("2023年，新增学位519872个，新建托位15个，改造教室12个。", []),
])
def test_embedded_year(text, flagged):
    doc = reportmine.parse_text(text)
    assert [c.texts[0] for c in doc.checks if c.check == "embedded_year"] == flagged


@pytest.mark.parametrize("text,expected", [
    ("2023年，全区教育财政投入38747万元。二、其他\n2023年，全区教育财政投入39747万元。", [
        ("conflicting_values", "suspect", D("387470000"), D("397470000"))]),
    # the same value twice is fine
    ("2023年，全区教育财政投入38747万元。二、其他\n2023年，全区教育财政投入38747万元。", []),
    # another year, or no stated period, or a generic indicator: not compared
    ("2023年，全区教育财政投入38747万元。二、其他\n2022年，全区教育财政投入39747万元。", []),
    ("全区教育财政投入38747万元。二、其他\n全区教育财政投入39747万元。", []),
    ("2023年，投入资金172.5万元。二、其他\n2023年，投入资金357万元。", []),
])
def test_conflicting_values(text, expected):
    assert checks(text) == expected


# -- tolerance: half a unit of the last written digit ---------------------------------------
@pytest.mark.parametrize("text,tol", [
    ("增长24.43％。", D("0.005")),
    ("投入38747万元。", D("5000")),
    ("投入3.8亿元。", D("5000000")),
    ("投入1,000元。", D("0.5")),
    ("学生三百二十人。", D("5")),
    ("学生2.9万名。", D("500")),
    ("提高13.41个百分点。", D("0.005")),
])
def test_tolerance_follows_the_written_digits(rules, text, tol):
    (m,) = reportmine.parse_text(text).metrics
    assert make_figure(m, 0, {}, rules.translate).tol == tol


# -- turning checks off -------------------------------------------------------------------
def test_skip_checks_in_the_library():
    text = BASE + "增加7608万元，增长24.43％。"
    assert [c[0] for c in checks(text, skip_checks=["growth"])] == ["change"]
    doc = reportmine.parse_text(text)
    assert [c.check for c in run_checks(doc.text, doc.metrics, skip=["change"])] == ["growth"]
    with pytest.raises(ValueError, match="unknown check"):
        reportmine.parse_text(text, skip_checks=["nonsense"])


def test_checks_can_be_disabled_in_checks_toml(tmp_path):
    overlay = tmp_path / "rules"
    overlay.mkdir()
    (overlay / "checks.toml").write_text('disabled = ["change"]\n', encoding="utf-8")
    rules = load_rules(overlay)
    doc = reportmine.parse_text(BASE + "增加7608万元，增长24.43％。", rules=rules)
    assert [c.check for c in doc.checks] == ["growth"]


@pytest.mark.parametrize("text,rule,problem", [
    ('disabled = ["nonsense"]\n', "disabled", "Input should be"),
    ('[share]\nwhole_cue = "(占"\nimplicit_whole = ""\nbracket_open = ""\ntotal_after = ""\n',
     "share", "bad regular expression"),
    ('[embedded_year]\nyear_mention = "(19|20)(\\\\d{2})"\n', "embedded_year",
     "exactly one group"),
    ('[rate_over_100]\nlimit = -1\n', "rate_over_100", "greater than 0"),
])
def test_bad_checks_toml_is_named(tmp_path, text, rule, problem):
    overlay = tmp_path / "rules"
    overlay.mkdir()
    (overlay / "checks.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(overlay, base=default_patterns_dir())
    msg = str(exc.value)
    assert "checks.toml" in msg and rule in msg and problem in msg


# -- tables and the command line ------------------------------------------------------------
def test_checks_csv_and_frame(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(SEED_000), "-o", str(out), "-q"]) == 0
    with open(out / "checks.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["doc", "check", "status", "metrics", "expected", "found", "message",
                             "texts"]
    change = next(r for r in rows if r["check"] == "change")
    assert (change["status"], change["metrics"], change["expected"], change["found"]) == \
        ("ok", "3739;3752;3761", "76080000", "76080000")
    assert change["message"] == "7608万元 = 38747万元 − 31139万元"
    df = reportmine.checks_frame([reportmine.parse_file(SEED_000)])
    assert list(df.columns)[:7] == ["doc", "check", "status", "metrics", "expected", "found",
                                    "message"]
    assert df.loc[df.check == "growth", "expected"].iloc[0] == D("24.4324")


def test_skip_check_in_extract(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(SEED_000), "-o", str(out), "-q", "--skip-check", "growth",
                 "--skip-check", "parts_total"]) == 0
    with open(out / "checks.csv", encoding="utf-8-sig", newline="") as fh:
        names = [r["check"] for r in csv.DictReader(fh)]
    assert names == ["change", "share", "completion"]


def test_check_command(capsys):
    assert main(["check", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "ok        change" in out and "7608万元 = 38747万元 − 31139万元" in out
    assert "suspect   embedded_year" in out and "532023个" in out
    assert main(["check", str(SAMPLES), "--problems"]) == 0
    out = capsys.readouterr().out
    assert "000_8962da1a5d06fb49.txt" not in out and " ok " not in out
    assert out.count("suspect   embedded_year") == 5


def test_check_command_usage_errors():
    with pytest.raises(SystemExit) as exc:
        main(["check", str(SAMPLES), "--skip-check", "nonsense"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2


def test_every_check_is_in_the_readme():
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for name in CHECK_NAMES:
        assert f"`{name}`" in readme
