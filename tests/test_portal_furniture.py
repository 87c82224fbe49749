"""Web portal furniture: what a saved government portal page wraps around an article
(site tools, breadcrumb, the 索引号 metadata block, counters, related links, attachments,
page buttons, the footer, the "leaving the site" dialog) is removed as `portal`, and the
article's figures stay. The pages here are invented; the real page is checked last."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import reportmine
from reportmine.clean import find_removals

from tests.conftest import shared_or_skip

BODY = ("2023年示例县国民经济统计公报\n"
        "全年地区生产总值156.3亿元，比上年增长4.8%。\n"
        "年末常住人口32.5万人，全年新增就业2100人。\n")

PAGE = f"""<html><head><title>示例县2023年统计公报 | 示例县人民政府</title></head><body>
<div class="top"><a>网站无障碍</a><a>关怀版</a></div>
<div class="nav"><ul><li>首页</li>
<li>政务公开</li>
<li>政务服务</li>
<li>互动交流</li></ul></div>
<div class="crumb">您当前所在位置：</div>
<div><a>首页</a>&gt;<a>政务公开</a>&gt;<a>统计数据</a></div>
<table class="meta">
<tr><td><label>索\u2002引\u2002号：</label></td></tr>
<tr><td>  123456789B/2024-0012345</td></tr>
<tr><td><label>生成日期：</label></td></tr>
<tr><td>2024-04-02</td></tr>
<tr><td><label>发布机构：</label></td></tr>
<tr><td>示例县统计局</td></tr>
<tr><td><label>公开方式：</label></td></tr>
<tr><td>主动公开</td></tr>
</table>
<div class="count">访问量：<b>2745</b></div>
<h3>关联稿件：</h3>
<ul><li>图解：《示例县2023年统计公报》</li>
<li>2024-04-10</li></ul>
<div class="article">{"".join(f"<p>{line}</p>" for line in BODY.splitlines())}</div>
<div>附件：</div>
<div>【<a>打印本页</a>】 【<a>关闭本页</a>】</div>
<div class="foot">
<a>网站地图</a>
<a>联系我们</a>
<a>隐私声明</a>
<p>主办：示例县人民政府\u2002\u2002承办：示例县人民政府办公室</p>
<p>示ICP备12345678号-2\u2002网站标识码：1234567890</p>
<p>示公网安备 12345602000111号</p>
<p>地址：示例县人民路8号 邮编：330000 电话：0790-1234567</p>
<p>技术支持：示例县信息中心</p>
</div>
<div class="dialog"><span>X</span>
<p>您访问的链接即将离开“示例县人民政府网站”是否继续？</p>
<span>继续访问</span><span>放弃</span></div>
</body></html>
"""


def _removed_text(text: str, rules) -> dict[str, list[str]]:
    """Removed text by rule (markup left out, white space, EN SPACE too, squeezed to one space)."""
    out: dict[str, list[str]] = {}
    for f in find_removals(text, rules):
        if f.reason != "markup":
            piece = re.sub(r"<[^>]*>|&gt;", "", text[f.start:f.end])
            out.setdefault(f.rule, []).append(" ".join(piece.split()))
    return out


@pytest.fixture(scope="module")
def removed(rules) -> dict[str, list[str]]:
    return _removed_text(PAGE, rules)


@pytest.mark.parametrize("rule,text", [
    ("portal-title-site", "| 示例县人民政府"),
    ("portal-site-tools", "网站无障碍关怀版"),
    ("portal-nav", "首页 政务公开 政务服务 互动交流"),
    ("portal-location", "您当前所在位置："),
    ("portal-metadata", "索 引 号： 123456789B/2024-0012345"),
    ("portal-metadata", "生成日期： 2024-04-02"),
    ("portal-metadata", "发布机构： 示例县统计局"),
    ("portal-metadata", "公开方式： 主动公开"),
    ("portal-counter", "访问量：2745"),
    ("portal-related-inline", "关联稿件： 图解：《示例县2023年统计公报》 2024-04-10"),
    ("portal-attachment", "附件："),
    ("portal-bracket-button", "【打印本页】"),
    ("portal-bracket-button", "【关闭本页】"),
    ("portal-footer-links", "网站地图 联系我们 隐私声明"),
    ("portal-sponsor", "主办：示例县人民政府 承办：示例县人民政府办公室"),
    ("portal-registration", "示ICP备12345678号-2 网站标识码：1234567890"),
    ("portal-registration", "示公网安备 12345602000111号"),
    ("portal-contact", "地址：示例县人民路8号 邮编：330000 电话：0790-1234567"),
    ("portal-copyright", "技术支持：示例县信息中心"),
    ("portal-leave-dialog", "X"),
    ("portal-leave-dialog", "您访问的链接即将离开“示例县人民政府网站”是否继续？"),
    ("portal-leave-dialog", "继续访问放弃"),
])
def test_furniture_removed_with_its_rule(removed, rule, text):
    assert text in removed.get(rule, [])


def test_all_furniture_is_portal(rules):
    reasons = {f.reason for f in find_removals(PAGE, rules)}
    assert reasons == {"markup", "portal"}


def test_body_figures_stay_and_furniture_gives_none():
    doc = reportmine.parse_text(PAGE)
    assert [m.text for m in doc.metrics] == ["156.3亿元", "4.8%", "32.5万人", "2100人"]


def test_breadcrumb_stays_removed(removed):
    assert any("首页" in t and "统计数据" in t for t in removed["portal-breadcrumb"])


@pytest.mark.parametrize("text", [
    "全年网站总访问量：1234567次，比上年增长12%。",       # a report's own counter figure
    "政务新媒体阅读量：120万次。",
    "主办单位：市文化和旅游局。全市共举办展会12场。",
    "附件\n《政府工作报告》名词解释\n1.全年新增学位2000个。",   # a report's own appendix
    "公开方式：主动公开。全年主动公开政府信息1520条，办理依申请公开86件。",
    "相关报道显示，全年新增就业12万人。",
    "全市共有网站地图服务点3个。",
    # An address given in passing (a disclosure report's preface) is body text.
    "全年受理申请21件。如对本报告有疑问，请与区政府办公室联系（地址：人民路90号，邮编："
    "223100，电话：0517-87222589）。全年办结申请19件。",
])
def test_report_text_is_not_furniture(rules, text):
    doc = reportmine.parse_text(text)
    kept = {m.text for m in doc.metrics}
    removed = [f for f in find_removals(text, rules) if f.reason == "portal"]
    figures = re.findall(r"\d[\d.]*(?:万次|次|个|%|场|条|件|万人)", text)
    assert set(figures) <= kept, (removed, kept)


def test_metadata_value_on_its_own_line_after_blank_lines(rules):
    text = "索 引 号：\n   \n\n  ABC123/2024-01\n全年新增学位2000个。\n"
    (f,) = [f for f in find_removals(text, rules) if f.rule == "portal-metadata"]
    assert text[f.start:f.end].endswith("ABC123/2024-01")
    assert [m.text for m in reportmine.parse_text(text).metrics] == ["2000个"]


# ---------------------------------------------------------------- the real page

_FURNITURE = re.compile(r"ICP|公网安备|网站标识码|访问量|\d{4}-\d{3,}|\(\d{3,4}-\d{7,8}\)|"
                        r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def wanzai_metrics(tmp_path_factory) -> list[dict[str, str]]:
    shared_or_skip("formats", "wanzai_2022_tongjigongbao.html")
    from reportmine.cli import main

    out = tmp_path_factory.mktemp("wz")
    formats = Path(__file__).resolve().parents[1].parent / "shared" / "formats"
    assert main(["extract", str(formats), "--glob", "*.html", "-o", str(out)]) in (0, None)
    with open(out / "metrics.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_wanzai_no_furniture_figures(wanzai_metrics):
    bad = [(m["text"], m["sentence"][:60]) for m in wanzai_metrics
           if _FURNITURE.search(m["text"]) or _FURNITURE.search(m["sentence"])]
    assert bad == []


def test_wanzai_body_figures_present(wanzai_metrics):
    texts = {(m["text"], m["indicator"]) for m in wanzai_metrics}
    found = {t for t, _ in texts}
    assert {"262.6亿元", "488403人", "16387元"} <= found
    assert len(wanzai_metrics) > 400
