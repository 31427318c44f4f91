"""Command-line paths -> Documents and InputFailures: identity, site, walking, JSONL, per-file failures."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from detector.errors import InputError
from detector.ingest.inputs import iter_file_pages, iter_file_sources
from detector.model import Document, InputFailure

from .invariants import check_document
from .paths import FIXTURES

ARTICLE = "<html><body><h1>标题</h1><p>这是一段正文，讲述公司的发展历史和主要产品。</p></body></html>"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def pages(*paths: str, cwd: Path, **kw: object) -> list[Document | InputFailure]:
    out = list(iter_file_pages(list(paths), cwd=cwd, **kw))  # type: ignore[arg-type]
    for item in out:
        if isinstance(item, Document):
            check_document(item)
    return out


def docs(items: list[Document | InputFailure]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def failures(items: list[Document | InputFailure]) -> list[tuple[str, str]]:
    return [(i.uri, i.error) for i in items if isinstance(i, InputFailure)]


class TestMissingPaths:
    def test_raise_at_call_time_before_anything_is_read(self, tmp_path: Path) -> None:
        write(tmp_path / "a.html", ARTICLE)
        with pytest.raises(InputError) as err:
            iter_file_pages(["a.html", "nope/missing.html"], cwd=tmp_path)
        assert str(err.value) == "nope/missing.html: no such file or directory"

    def test_sources_too(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no such file or directory"):
            iter_file_sources(["missing.jsonl"], cwd=tmp_path)


class TestWalking:
    def test_recursive_sorted_hidden_skipped_extensions(self, tmp_path: Path) -> None:
        for name in [
            "site/b.html", "site/a.htm", "site/sub/c.txt", "site/sub/d.md", "site/a/z.html",
            "site/.hidden.html", "site/.git/e.html", "site/style.css", "site/data.json", "site/page.HTML",
        ]:  # fmt: skip
            write(tmp_path / name, ARTICLE if name.lower().endswith(("html", "htm")) else "正文，一句话。")
        uris = [d.uri for d in docs(pages("site", cwd=tmp_path))]
        assert uris == [
            "site/a/z.html",
            "site/a.htm",
            "site/b.html",
            "site/page.HTML",
            "site/sub/c.txt",
            "site/sub/d.md",
        ]

    def test_named_files_are_read_whatever_their_extension(self, tmp_path: Path) -> None:
        write(tmp_path / "page.php", "<!DOCTYPE html>" + ARTICLE)
        write(tmp_path / "notes.log", "一行文字，不是网页。")
        write(tmp_path / ".hidden.txt", "隐藏文件，但被点名了。")
        items = docs(pages("page.php", "notes.log", ".hidden.txt", cwd=tmp_path))
        assert [(d.uri, d.title) for d in items] == [
            ("page.php", "标题"),
            ("notes.log", None),
            (".hidden.txt", None),
        ]
        assert "<" not in items[0].text  # sniffed as HTML

    def test_a_file_named_twice_is_read_once(self, tmp_path: Path) -> None:
        write(tmp_path / "site/a.html", ARTICLE)
        assert [d.uri for d in docs(pages("site", "site/a.html", "./site/a.html", cwd=tmp_path))] == [
            "site/a.html"
        ]


class TestIdentity:
    def test_uri_relative_under_cwd_absolute_outside(self, tmp_path: Path) -> None:
        cwd = tmp_path / "work"
        write(cwd / "sub/a.html", ARTICLE)
        outside = write(tmp_path / "elsewhere/b.html", ARTICLE)
        items = docs(pages("./sub/a.html", "../elsewhere/b.html", str(outside), cwd=cwd))
        assert [d.uri for d in items] == ["sub/a.html", outside.as_posix()]
        assert [d.id for d in items] == [d.uri for d in items]

    def test_site_from_flag_then_url_host_then_folder(self, tmp_path: Path) -> None:
        write(tmp_path / "mirror/a.html", ARTICLE)
        write(
            tmp_path / "mirror/deep/b.html",
            '<link rel="canonical" href="https://WWW.Example.COM/b">' + ARTICLE,
        )
        write(tmp_path / "sites/x/c.txt", "正文，一句话。")
        write(tmp_path / "d.txt", "正文，一句话。")
        items = docs(pages("mirror/", "./sites/x", "d.txt", cwd=tmp_path))
        assert [(d.uri, d.site) for d in items] == [
            ("mirror/a.html", "mirror"),
            ("mirror/deep/b.html", "www.example.com"),
            ("sites/x/c.txt", "sites/x"),
            ("d.txt", "."),
        ]
        assert {d.site for d in docs(pages("mirror", cwd=tmp_path, site="given"))} == {"given"}

    def test_file_named_directly_gets_its_folder_as_site(self, tmp_path: Path) -> None:
        write(tmp_path / "a/b/page.md", "# 标题\n\n正文，一句话。")
        assert [d.site for d in docs(pages("a/b/page.md", cwd=tmp_path))] == ["a/b"]


class TestFailures:
    def test_each_bad_file_is_a_failure_and_the_run_goes_on(self, tmp_path: Path) -> None:
        write(tmp_path / "in/a-good.html", ARTICLE)
        write(tmp_path / "in/b-binary.html", b"GIF89a\x00\x01\x02")
        write(tmp_path / "in/c-empty.txt", b"")
        write(tmp_path / "in/d-undecodable.txt", bytes(range(0x80, 0x100)) * 10)
        write(tmp_path / "in/e-notext.html", "<html><script>x()</script></html>")
        write(tmp_path / "in/f-blank.txt", "  \n\xa0\n")
        write(tmp_path / "in/g-good.txt", "最后一个好文件。")
        items = pages("in", cwd=tmp_path)
        assert [d.uri for d in docs(items)] == ["in/a-good.html", "in/g-good.txt"]
        assert failures(items) == [
            ("in/b-binary.html", "binary file (NUL bytes)"),
            ("in/c-empty.txt", "empty file"),
            ("in/d-undecodable.txt", "cannot decode as UTF-8, GB18030 or Big5"),
            ("in/e-notext.html", "no text found"),
            ("in/f-blank.txt", "no text found"),
        ]
        assert {i.site for i in items if isinstance(i, InputFailure)} == {"in"}

    def test_over_the_limit_is_refused_without_reading(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        big = tmp_path / "big.html"
        with open(big, "wb") as f:
            f.truncate(50_000_000)  # sparse: stat says 50 MB
        opened: list[str] = []
        real_open = open

        def spy(path: str, *args: object, **kwargs: object) -> object:
            opened.append(str(path))
            return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr("detector.ingest.inputs.open", spy, raising=False)
        items = pages("big.html", cwd=tmp_path, max_bytes=20_000_000)
        assert failures(items) == [("big.html", "larger than the 20000000-byte limit")]
        assert opened == []

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
    def test_a_fifo_is_not_opened(self, tmp_path: Path) -> None:
        os.mkfifo(tmp_path / "pipe.html")
        assert failures(pages("pipe.html", cwd=tmp_path)) == [("pipe.html", "not a regular file")]

    def test_utf16_bom_and_encodings_are_reported(self, tmp_path: Path) -> None:
        items = docs(pages(str(FIXTURES), cwd=tmp_path))
        encodings = {Path(d.uri).name: d.encoding for d in items}
        assert encodings["utf16-bom.txt"] == "utf-16-le"
        assert encodings["gbk-undeclared.html"] == "gb18030"
        assert encodings["gb2312-declared-gbk-chars.html"] == "gb18030"
        assert encodings["big5-declared.html"] == "big5"
        assert encodings["big5-undeclared.txt"] == "big5"


def jsonl(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


class TestJsonlPages:
    def test_ids_urls_kinds_and_bad_lines(self, tmp_path: Path) -> None:
        write(
            tmp_path / "crawl/pages.jsonl",
            jsonl(
                {"id": "p1", "url": "https://a.example/1", "html": ARTICLE},
                {"url": "https://b.example/2", "text": "纯文本页面，一句话。"},
                "",
                "{not json",
                {"id": "p5", "body": "no text key"},
                {"id": 6, "text": "   "},
                [1, 2],
                {"html": "<p>没有网址的网页，正文在这里。</p>"},
            ),
        )
        items = pages("crawl", cwd=tmp_path)
        good = docs(items)
        assert [(d.id, d.uri, d.url, d.site) for d in good] == [
            ("p1", "crawl/pages.jsonl#1", "https://a.example/1", "a.example"),
            ("crawl/pages.jsonl#2", "crawl/pages.jsonl#2", "https://b.example/2", "b.example"),
            ("crawl/pages.jsonl#8", "crawl/pages.jsonl#8", None, "crawl"),
        ]
        assert good[0].title == "标题" and good[1].text == "纯文本页面，一句话。"
        assert good[0].original == ARTICLE  # offsets point into the JSON field
        assert failures(items) == [
            ("crawl/pages.jsonl#4", "line 4: not valid JSON"),
            ("crawl/pages.jsonl#5", 'line 5: needs a "text" or "html" string'),
            ("crawl/pages.jsonl#6", "no text found"),
            ("crawl/pages.jsonl#7", "line 7: not a JSON object"),
        ]

    def test_a_line_over_the_limit_fails_alone(self, tmp_path: Path) -> None:
        write(tmp_path / "p.jsonl", jsonl({"text": "长" * 400}, {"text": "短的正文。"}))
        items = pages("p.jsonl", cwd=tmp_path, max_bytes=300)
        assert failures(items) == [("p.jsonl#1", "line 1: larger than the 300-byte limit")]
        assert [d.uri for d in docs(items)] == ["p.jsonl#2"]

    def test_empty_and_binary_jsonl(self, tmp_path: Path) -> None:
        write(tmp_path / "empty.jsonl", b"")
        write(tmp_path / "blank.jsonl", b"\n\n")
        write(tmp_path / "bin.jsonl", b'{"text": "a"}\x00\n')
        items = pages("empty.jsonl", "blank.jsonl", "bin.jsonl", cwd=tmp_path)
        assert failures(items) == [
            ("empty.jsonl", "empty file"),
            ("blank.jsonl", "empty file"),
            ("bin.jsonl", "binary file (NUL bytes)"),
        ]

    def test_gbk_jsonl_line(self, tmp_path: Path) -> None:
        write(
            tmp_path / "g.jsonl",
            json.dumps({"text": "国标编码的一行。"}, ensure_ascii=False).encode("gbk") + b"\n",
        )
        (doc,) = docs(pages("g.jsonl", cwd=tmp_path))
        assert (doc.text, doc.encoding) == ("国标编码的一行。", "gb18030")


class TestSources:
    def test_jsonl_sources_are_taken_as_is(self, tmp_path: Path) -> None:
        write(
            tmp_path / "src/news.jsonl",
            jsonl(
                {"id": "n1", "url": "https://news.example/1", "title": "阿里巴巴B2B十八年", "site": "门户A",
                 "category": "科技", "text": "第一段。\n\n发布时间:2017-09-12\n第三段。"},
                {"text": "没有别的字段。"},
                {"id": "n3", "html": "<p>只有html</p>"},
            ),
        )  # fmt: skip
        items = list(iter_file_sources(["src"], cwd=tmp_path))
        good = docs(items)
        first = good[0]
        check_document(first)
        assert (first.id, first.url, first.title, first.site, first.category) == (
            "n1", "https://news.example/1", "阿里巴巴B2B十八年", "门户A", "科技",
        )  # fmt: skip
        assert [b.kind for b in first.blocks] == ["main", "main", "main"]
        assert (good[1].id, good[1].site, good[1].title) == ("src/news.jsonl#2", "src", None)
        assert failures(items) == [("src/news.jsonl#3", 'line 3: needs a "text" string')]

    def test_html_sources_get_the_same_extraction(self, tmp_path: Path) -> None:
        write(tmp_path / "s.html", (FIXTURES / "company-news.html").read_bytes())
        (doc,) = docs(list(iter_file_sources(["s.html"], cwd=tmp_path)))
        kinds = {doc.text[b.start : b.end].strip(): b.kind for b in doc.blocks}
        assert kinds["发布时间：2017-09-12 13:32\xa0\xa0来源：本站\xa0\xa0点击次数：128"] == "boilerplate"
        assert doc.site == "www.xhxjcfj.com"


def test_cwd_defaults_to_the_process_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "一句话。")
    monkeypatch.chdir(tmp_path)
    items: Iterator[Document | InputFailure] = iter_file_pages(["a.txt"])
    assert [(i.uri, i.site) for i in items] == [("a.txt", ".")]
    assert os.getcwd() == str(tmp_path)
