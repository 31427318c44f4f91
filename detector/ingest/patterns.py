"""Text-level signals shared by the HTML and the plain-text extractors.

Each pattern recognises one kind of site chrome by its words alone (copyright lines, bylines, breadcrumbs,
contact boxes, prev/next links, link lists), so that the same rules label a page whether it came as HTML,
as text or as Markdown. Patterns are written for small Chinese company sites first, English second; a block
is only called boilerplate on a pattern when it is short, so a long article sentence that happens to mention
版权所有 stays main text.
"""

from __future__ import annotations

import re

# Unanchored markers of a footer / copyright line (any of them in a short block is enough).
COPYRIGHT = re.compile(
    r"copyright|©|\(c\)\s*\d{4}|版权所有|版权归|all\s+rights\s+reserved|icp\s*[备証证]|公网安备|"
    r"技术支持\s*[:：]|网站建设\s*[:：]|备案号|增值电信|powered\s+by",
    re.IGNORECASE,
)

# Labels that start a byline or a metadata line: 发布时间: 2017-09-12 / 来源: 本站 / 作者: ...
_BYLINE_LABELS = (
    "发布时间|发布日期|发表时间|发表日期|更新时间|更新日期|添加时间|上传时间|录入时间|时间|日期|"
    "文章来源|信息来源|新闻来源|来源|稿源|出处|作者|文\\s*/|编辑|责任编辑|责编|编审|审核|审稿|校对|"
    "录入|发布者|发布人|发布|供稿|撰稿|摄影|记者|通讯员|点击次数|点击数|点击量|点击|浏览次数|浏览量|"
    "浏览|阅读次数|阅读量|阅读|人气|字号|字体|关键词|标签|tags?|posted\\s+(?:on|by)|published|"
    "updated|author|source"
)
# Possessive ``\s*+`` wherever the next token cannot be a space: adjacent ``\s*`` pairs backtracked
# polynomially on long runs of spaces (issue 20: 1,600 spaces after a date took 6 s).
BYLINE_START = re.compile(rf"^\s*+[\[(（【]?+\s*+(?:{_BYLINE_LABELS})\s*+[:：]", re.IGNORECASE)
BYLINE_ANY = re.compile(
    r"(?:发布时间|发布日期|发表时间|更新时间|文章来源|信息来源|来源|作者|责任编辑|编辑|点击次数|点击数|"
    r"浏览次数|浏览量|阅读次数|阅读量)\s*[:：]|责任编辑|【\s*字[号体]|字号\s*[:：]?\s*[大中小]|"
    r"(?:点击|浏览|阅读)\s*[:：]?\s*\d+\s*次"
)

_DATE = r"\d{4}\s*+[-/.年]\s*+\d{1,2}\s*+[-/.月]\s*+\d{1,2}\s*+日?"
_TIME = r"\d{1,2}\s*+[:：]\s*+\d{2}(?:\s*+[:：]\s*+\d{2})?"
DATE_ONLY = re.compile(
    rf"^\s*+[\[(（【]?+\s*+(?:{_DATE}(?:\s*+{_TIME})?|{_TIME})\s*+[\])）】]?+\s*+$",
)
# A date (and time) followed by a few words and nothing like a sentence: "2019-09-26 10:56:28 证券时报网".
DATE_LEAD = re.compile(
    rf"^\s*+[\[(（【]?+\s*+{_DATE}\s*+(?:{_TIME})?\s*+[\])）】]?[^。，,！!？?；;]{{0,25}}$"
)

BREADCRUMB = re.compile(
    r"^\s*(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|现在位置|所在位置|位置|"
    r"you\s+are\s+here)\s*[:：]|^\s*(?:首页|网站首页|主页|home)\s*(?:>|&gt;|»|›|/|→|＞|>>|-)\s*\S",
    re.IGNORECASE,
)

SITEMAP = re.compile(r"网站地图|站点地图|sitemap|site\s+map", re.IGNORECASE)

CONTACT = re.compile(
    r"^\s*(?:联系电话|咨询电话|服务热线|全国热线|热线电话|客服热线|热线|电话|座机|传真|手机|移动电话|邮箱|"
    r"电子邮箱|电子邮件|e-?mail|邮编|邮政编码|地址|公司地址|厂址|联系地址|联系人|联系方式|qq|微信|网址|"
    r"tel|fax|phone|mobile|address|contact)\s*[:：]",
    re.IGNORECASE,
)

PREV_NEXT = re.compile(
    r"^\s*+[\[【<《(（]?+\s*+(?:上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇|前一篇|后一篇|返回列表|"
    r"返回顶部|返回首页|关闭窗口|关闭本页|打印本页|打印此文|加入收藏|设为首页|收藏本站|分享到|分享至|"
    r"扫一扫|扫描二维码|相关文章|相关新闻|相关阅读|相关推荐|推荐阅读|热门推荐|热门文章|猜你喜欢|"
    r"延伸阅读|更多>>|更多|previous|next|share\s+this|related\s+posts?|read\s+more|"
    r"skip\s+to\s+content)",
    re.IGNORECASE,
)

# Headings of recommendation boxes and calls to action: only when the whole line is that short label.
SHORT_LABEL = re.compile(
    r"^\s*+[\[【<《(（]?+\s*+(?:你可能(?:会)?(?:喜欢|感兴趣)|为[你您]推荐|精彩推荐|编辑推荐|今日推荐|热门|排行|"
    r"热点|精选|往期回顾|更多精彩|查看更多|点击查看|阅读全文|扫码|扫描|关注我们|我已授权|专题|推荐|"
    r"评论|网友评论|最新评论|发表评论|写评论|登录|注册|友情链接|合作伙伴|在线客服|客服中心)"
    r"[^。，,！!？?]{0,10}$"
)
DISCLAIMER = re.compile(
    r"^\s*+[\[【(（]?+\s*+(?:免责声明|特别声明|郑重声明|版权声明|风险提示|声明)\s*[:：】\])）]"
)

# Site widgets by their words (issue 13): share buttons, comment boxes, recommendation boxes and
# follow-us promotions. Only short lines (see boilerplate_reason); repeats are bounded.
WIDGET = re.compile(
    r"微信扫一扫|扫一扫|一键转发|一键分享|分享到|请先说点什么|说点什么吧|暂无评论|还没有评论|我来说两句|"
    r"发表评论|参与评论|条评论|您?你?可能(?:会)?感兴趣|相关文章|热门文章|推荐阅读|"
    r"扫描(?:下方)?二维码|二维码关注|长按(?:识别)?二维码|关注(?:我们的)?(?:官方)?微信|微信中搜"
)
# Reporting and reprint lines: 澎湃新闻报料：4009-20-4009 澎湃新闻，未经授权不得转载.
REPRINT = re.compile(
    r"报料\s{0,3}[:：]|未经(?:授权|许可|同意)[,，]?\s{0,3}(?:不得|禁止|严禁|请勿)(?:转载|转发|使用)|"
    r"转载请注明|欢迎转载|版权归原作者|如有侵权"
)
# Date lines without a colon: 最后更新: 2019-09-07 / 发表于2014-08-24 21:30| 1164次阅读.
DATED = re.compile(
    r"^\s{0,3}[\[(（【]?\s{0,3}(?:最后更新|最后修改|更新于|发表于|发布于|发布在|写于|posted\s{1,3}on|"
    r"last\s{1,3}updated|updated\s{1,3}on)\s{0,3}[:：]?\s{0,3}\d{4}",
    re.IGNORECASE,
)
READS = re.compile(r"\d{1,9}\s{0,2}次(?:阅读|浏览|点击)|\d{1,9}\s{0,2}条评论")

# A line made only of digits, punctuation and symbols (a visit counter "0", a lone "|").
TRIVIAL = re.compile(r"^[\s\d\W_]{0,8}$")

# Separators of a link list written out as text: 公司简介 | 公司新闻 | 行业新闻 |
_LIST_SEPARATORS = re.compile(r"\s*[|｜丨¦•·]\s*|\s{2,}|\t|\u3000+|\s+[/>»]\s+")

SENTENCE_FINAL = "。.！!；;"
CLAUSE_PUNCT = "。！？!?；;，,、：:"

ORG_SUFFIX = re.compile(
    r"(?:有限责任公司|股份有限公司|有限公司|公司|集团|厂|网|商城|工作室|研究院|研究所|事务所|中心|"
    r"co\.?,?\s*ltd\.?|inc\.?|corp\.?|corporation|limited|llc|gmbh)\s*$",
    re.IGNORECASE,
)
_COPYRIGHT_WORD = re.compile(r"copyright|版权所有|版权归|©|\(c\)\s*\d{4}", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"([^\s:：|｜,，。©]{2,40})\s*(?:版权所有|all\s+rights\s+reserved)", re.IGNORECASE)
_NAME_AFTER = re.compile(
    r"(?:copyright|版权所有|版权归|©|\(c\))\s*[:：]?\s*(?:©|\(c\))?\s*"
    r"(?:\d{4}(?:\s*[-–~至]\s*\d{4})?\s*年?)?\s*[:：]?\s*(.+)",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    r"\s{2,}|[\xa0\u3000|｜]|版权所有|all\s+rights|地址|电话|备案|[\u4e00-\u9fff]?icp|技术支持|联系|邮编|主办|承办|"
    r"网站标识|中文域名|[,，]\s*(?:all|inc)|\.\s+(?:all|版权)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset({"本站", "本网", "本网站", "all", "by", "the", "reserved", "版权所有"})

TITLE_SEPARATORS = re.compile(
    # ``(?<!\s)``: a separator starts where its spaces start, not at every space of a long run (quadratic).
    r"(?<!\s)(?:\s++[-–—|_·:]\s+|\s*+[_|｜—–]+\s*+)|-{2,}|(?<=[\u4e00-\u9fff?？!！」》)])-(?=[\u4e00-\u9fff])|"
    # "...ZoomEye-CSDN.NET": a domain after the last hyphen
    r"-(?=[A-Za-z0-9][\w-]{0,63}\.[A-Za-z]{2,63}\s*+$)"
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def non_space_len(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def looks_like_link_list(line: str) -> bool:
    """``公司简介 | 公司新闻 | 行业新闻 |``: several short items between separators, no sentence."""
    stripped = line.strip()
    if not stripped or any(p in stripped for p in "。，,；;！!？?"):
        return False
    parts = [p for p in _LIST_SEPARATORS.split(stripped) if p.strip()]
    seps = len(_LIST_SEPARATORS.findall(stripped))
    if (
        len(parts) >= 3
        or (len(parts) >= 1 and seps >= 2)
        or (len(parts) == 1 and re.search(r"[|｜丨]", stripped))
    ):
        return all(len(p.strip()) <= 12 for p in parts)
    return False


def link_list_items(line: str) -> list[str]:
    return [p.strip() for p in _LIST_SEPARATORS.split(line.strip()) if p.strip()]


def boilerplate_reason(text: str) -> str | None:
    """Why a short block of text is site chrome, or None.

    Length limits keep article sentences safe: one signal is enough up to 80 characters, two signals up
    to 300 (a footer that packs copyright, address and ICP number into one paragraph), three anywhere.
    """
    stripped = text.strip()
    if not stripped:
        return None
    size = non_space_len(stripped)
    if TRIVIAL.match(stripped):
        return "trivial"
    if DATE_ONLY.match(stripped) or (size <= 40 and DATE_LEAD.match(stripped)):
        return "date"
    if size <= 120 and (DATED.match(stripped) or (size <= 80 and READS.search(stripped))):
        return "date"
    if size <= 120 and REPRINT.search(stripped):
        return "reprint"
    if size <= 80 and WIDGET.search(stripped):
        return "widget"
    if size <= 120:
        if BREADCRUMB.search(stripped):
            return "breadcrumb"
        if BYLINE_START.search(stripped) and not _is_sentence(stripped):
            return "byline"
        if PREV_NEXT.match(stripped) and size <= 80:
            return "prev-next"
        if CONTACT.match(stripped) and size <= 80:
            return "contact"
        if SHORT_LABEL.match(stripped) and size <= 14:
            return "label"
    if DISCLAIMER.match(stripped) and size <= 300:
        return "disclaimer"
    hits = _signal_count(stripped)
    if (hits >= 1 and size <= 80) or (hits >= 2 and size <= 300) or hits >= 3:
        return "footer"
    if size <= 80 and looks_like_link_list(stripped):
        return "link-list"
    return None


def _signal_count(text: str) -> int:
    hits = 0
    for pattern in (COPYRIGHT, SITEMAP, BYLINE_ANY):
        if pattern.search(text):
            hits += 1
    if re.search(rf"{_DATE}", text) and len(text) <= 80:
        # A date alone is not enough, but a date next to another signal is a byline.
        hits += 1 if hits else 0
    if re.search(r"(?:电话|传真|邮箱|地址|联系人|手机|邮编)\s*[:：]", text):
        hits += 1
    return hits


def _is_sentence(text: str) -> bool:
    """A long line that reads as prose (several clauses) rather than a label: value list."""
    return non_space_len(text) > 60 and sum(text.count(p) for p in "。，,！？") >= 3


def split_title(title: str) -> list[str]:
    """``为何着眼中小型B2B服务? - 山东…制造厂`` -> the parts between title separators."""
    return [p.strip() for p in TITLE_SEPARATORS.split(title) if p and p.strip()]


def site_name_from_copyright(text: str) -> str | None:
    """``Copyright 2015-2016 山东庆云鑫恒兴机床附件制造厂 版权所有`` -> the company name.

    The name is read right before ``版权所有`` (Chinese order) or right after ``Copyright``, ``©`` or
    ``版权所有：`` and the years; whatever follows it on the line (address, ICP number, ...) is cut off.
    """
    for line in text.splitlines():
        if not _COPYRIGHT_WORD.search(line):
            continue
        for pattern in (_NAME_BEFORE, _NAME_AFTER):
            for match in pattern.finditer(line):
                if pattern is _NAME_BEFORE and not _CJK.search(match.group(1)):
                    continue  # "Example Ltd. All rights reserved": one Latin word is not the name
                name = _clean_name(match.group(1))
                if name:
                    return name
    return None


def _clean_name(raw: str) -> str | None:
    name = _NAME_END.split(raw, maxsplit=1)[0]
    name = name.strip(" \t\xa0\u3000:：,，.。;；|｜-–—©")
    name = re.sub(r"^(?:©|\(c\)|copyright)\s*", "", name, flags=re.IGNORECASE).strip()
    name = re.sub(r"^\d{4}(?:\s*[-–~]\s*\d{4})?\s*年?\s*", "", name).strip(" :：,，")
    if not (2 <= len(name) <= 40) or name.lower() in _NOT_NAMES or not re.search(r"[^\W\d_]", name):
        return None
    if re.search(r"https?:|www\.|@", name, re.IGNORECASE):
        return None
    return name


def split_keywords(content: str) -> tuple[str, ...]:
    """Meta keywords split on , ， ; 、 | (and on spaces when the list is Chinese)."""
    parts = re.split(r"[,，;；、|｜]+", content)
    out: list[str] = []
    for part in parts:
        sub = part.split() if _CJK.search(part) else [part]
        for item in sub:
            item = item.strip()
            if item and item not in out:
                out.append(item)
    return tuple(out)
