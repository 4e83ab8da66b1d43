#!/usr/bin/env python3
"""Write radar's offline demo feeds into data/demo/feeds/.

Every entry here is invented for `radar demo` and for the tests: the hosts all end in
`.demo.example`, the people are fictional and no text is copied from a real post. The output
is deterministic: re-running the script on unchanged content rewrites identical bytes.

    .venv/bin/python data/demo/tools/make_demo.py

Bodies use a light markup (see `to_html`): blank-line separated paragraphs, `## heading`,
`- item` lists, ``` code fences, `![alt](src)` images, `[text](url)` links, `code`, **bold**,
*emphasis*, and blocks starting with `<` kept verbatim (raw HTML on purpose).
"""

# ruff: noqa: E501 (prose and URLs in the content tables)

from __future__ import annotations

import functools
import html
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.dom import minidom
from xml.sax.saxutils import escape, quoteattr

FEEDS_DIR = Path(__file__).resolve().parents[1] / "feeds"
FIRST_DAY, LAST_DAY = date(2026, 9, 28), date(2026, 11, 22)


@dataclass(frozen=True)
class Entry:
    when: str | None
    """Local time `YYYY-MM-DD HH:MM` in the feed's UTC offset; None for an undated entry."""
    title: str
    link: str
    body: str
    author: str = ""
    tags: tuple[str, ...] = ()
    guid: str = ""
    """The RSS guid when it is not the link (isPermaLink="false")."""


def E(
    when: str | None,
    title: str,
    link: str,
    body: str,
    *,
    author: str = "",
    tags: tuple[str, ...] = (),
    guid: str = "",
) -> Entry:
    return Entry(when, title, link, textwrap.dedent(body).strip(), author, tags, guid)


@dataclass(frozen=True)
class Feed:
    filename: str
    title: str
    link: str
    description: str
    offset: str
    """The UTC offset every entry's `when` is written in, e.g. `-07:00`."""
    entries: tuple[Entry, ...]
    """Oldest first; written newest first, the way feeds list them."""
    render: Callable[[Feed], str]
    ascii_only: bool = False
    """Write non-ASCII characters as character references (`&#8217;`)."""


# --- light markup -------------------------------------------------------------------------


def inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"\*([^*\s][^*]*)\*", r"<em>\1</em>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', out)


CODE_FENCE = re.compile(r"^```\n(.*?)\n```$", re.DOTALL | re.MULTILINE)


def to_html(body: str) -> str:
    parts = []
    for index, chunk in enumerate(CODE_FENCE.split(body)):
        if index % 2:
            parts.append(f"<pre><code>{html.escape(chunk, quote=False)}</code></pre>")
        else:
            parts += [block_html(block) for block in re.split(r"\n\s*\n", chunk.strip())]
    return "\n".join(part for part in parts if part)


def block_html(block: str) -> str:
    if not block:
        return ""
    if block.startswith("## "):
        return f"<h2>{inline(block[3:])}</h2>"
    if image := re.fullmatch(r"!\[([^\]]*)\]\(([^)\s]+)\)", block):
        alt, src = html.escape(image[1]), html.escape(image[2])
        return f'<p><img src="{src}" alt="{alt}" width="800" height="450"></p>'
    if block.startswith("<"):
        return block
    if block.startswith("- "):
        items = [" ".join(item[2:].split()) for item in re.split(r"\n(?=- )", block)]
        return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items) + "</ul>"
    return f"<p>{inline(' '.join(block.split()))}</p>"


def first_paragraph_text(body: str) -> str:
    text = " ".join(body.split("\n\n", 1)[0].split())
    text = re.sub(r"\[([^\]]+)\]\([^)\s]+\)", r"\1", text)
    return text.replace("`", "").replace("**", "")


# --- dates ----------------------------------------------------------------------------------


def moment(feed: Feed, entry: Entry) -> datetime | None:
    if entry.when is None:
        return None
    sign = -1 if feed.offset.startswith("-") else 1
    hours, minutes = int(feed.offset[1:3]), int(feed.offset[4:6])
    zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return datetime.strptime(entry.when, "%Y-%m-%d %H:%M").replace(tzinfo=zone)


def rfc822(when: datetime, gmt: bool = False) -> str:
    if gmt:
        return format_datetime(when.astimezone(UTC), usegmt=True)
    return format_datetime(when)


def rfc3339(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def newest(feed: Feed) -> datetime:
    return max(m for e in feed.entries if (m := moment(feed, e)) is not None)


# --- writers --------------------------------------------------------------------------------


def el(name: str, text: str, **attrs: str) -> str:
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in attrs.items())
    return f"<{name}{attributes}>{escape(text)}</{name}>"


START_TAG_ONLY = re.compile(r"<[A-Za-z][^<>]*(?<!/)>")


def layout(lines: list[str]) -> str:
    """One element per line, children of container elements indented by two spaces."""
    out, depth = [], 0
    for line in lines:
        if line.startswith("</"):
            depth -= 1
        out.append("  " * depth + line if line else line)
        if START_TAG_ONLY.fullmatch(line):
            depth += 1
    assert depth == 0
    return "\n".join(out)


def cdata(text: str) -> str:
    assert "]]>" not in text
    return f"<![CDATA[{text}]]>"


def write_rss(
    feed: Feed, *, style: str, gmt: bool = False, ttl: int | None = None, language: str = "en"
) -> str:
    """RSS 2.0. `style` is `blog` (CDATA summary + content:encoded), `escaped` (the whole
    HTML body escaped in <description>) or `pypi` (PyPI's release-feed shape)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        el("title", feed.title),
        el("link", feed.link),
        el("description", feed.description),
        el("language", language),
        el("lastBuildDate", rfc822(newest(feed), gmt)),
    ]
    if ttl:
        out.append(el("ttl", str(ttl)))
    for entry in reversed(feed.entries):
        when = moment(feed, entry)
        out += ["<item>", el("title", entry.title), el("link", entry.link)]
        if style == "pypi":
            out.append(el("description", entry.body))
            out.append(el("author", entry.author))
        else:
            if entry.guid:
                out.append(el("guid", entry.guid, isPermaLink="false"))
            else:
                out.append(el("guid", entry.link, isPermaLink="true"))
            if entry.author:
                out.append(el("dc:creator", entry.author))
            out += [el("category", tag) for tag in entry.tags]
            if style == "blog":
                summary = to_html(entry.body.split("\n\n", 1)[0])
                out.append(f"<description>{cdata(summary)}</description>")
                out.append(f"<content:encoded>{cdata(to_html(entry.body))}</content:encoded>")
            else:
                out.append(el("description", to_html(entry.body)))
        if when is not None:
            out.append(el("pubDate", rfc822(when, gmt)))
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return layout(out)


def atom_id(link: str) -> str:
    parts = urlsplit(link)
    return f"tag:{parts.hostname},2026:{parts.path}"


def write_atom(feed: Feed, *, subtitle: str = "") -> str:
    """Atom 1.0 in the shape of a blog: summary text plus HTML content."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        el("id", atom_id(feed.link)),
        el("title", feed.title),
        el("subtitle", subtitle or feed.description),
        f'<link rel="alternate" type="text/html" href={quoteattr(feed.link)}/>',
        el("updated", rfc3339(newest(feed))),
        el("generator", "radar demo data"),
    ]
    for entry in reversed(feed.entries):
        when = moment(feed, entry)
        assert when is not None, "Atom entries need a date"
        out += [
            "<entry>",
            el("id", atom_id(entry.link)),
            el("title", entry.title),
            f'<link rel="alternate" type="text/html" href={quoteattr(entry.link)}/>',
            el("published", rfc3339(when)),
            el("updated", rfc3339(when)),
            f"<author>{el('name', entry.author)}</author>",
        ]
        out += [f"<category term={quoteattr(tag)}/>" for tag in entry.tags]
        out.append(el("summary", first_paragraph_text(entry.body), type="text"))
        out.append(el("content", to_html(entry.body), type="html"))
        out.append("</entry>")
    out += ["</feed>", ""]
    return layout(out)


def write_github_releases(feed: Feed, *, repository_id: int) -> str:
    """Atom 1.0 in the shape of a GitHub repository's releases.atom."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xml:lang="en-US">',
        el("id", f"tag:github.demo.example,2008:{feed.link}"),
        f'<link type="text/html" rel="alternate" href={quoteattr(feed.link)}/>',
        f'<link type="application/atom+xml" rel="self" href={quoteattr(feed.link + ".atom")}/>',
        el("title", feed.title),
        el("updated", rfc3339(newest(feed))),
    ]
    for entry in reversed(feed.entries):
        when = moment(feed, entry)
        assert when is not None, "Atom entries need a date"
        tag_name = entry.link.rsplit("/", 1)[1]
        avatar = f"https://avatars.demo.example/u/{entry.author}?s=60&v=4"
        out += [
            "<entry>",
            el("id", f"tag:github.demo.example,2008:Repository/{repository_id}/{tag_name}"),
            el("updated", rfc3339(when)),
            f'<link rel="alternate" type="text/html" href={quoteattr(entry.link)}/>',
            el("title", entry.title),
            el("content", to_html(entry.body), type="html"),
            f"<author>{el('name', entry.author)}</author>",
            f'<media:thumbnail height="30" width="30" url={quoteattr(avatar)}/>',
            "</entry>",
        ]
    out += ["</feed>", ""]
    return layout(out)


def write_rdf(feed: Feed, *, subject: str) -> str:
    """RSS 1.0 (RDF) in the shape of arXiv's classic listing feeds."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:syn="http://purl.org/rss/1.0/modules/syndication/">',
        f"<channel rdf:about={quoteattr(feed.link)}>",
        el("title", feed.title),
        el("link", feed.link),
        el("description", feed.description),
        el("dc:language", "en-us"),
        el("dc:date", rfc3339(newest(feed))),
        el("dc:publisher", "demo-help@arxiv.demo.example"),
        el("dc:subject", subject),
        el("syn:updatePeriod", "daily"),
        el("syn:updateFrequency", "1"),
        el("syn:updateBase", "1901-01-01T00:00+00:00"),
        "<items>",
        "<rdf:Seq>",
    ]
    out += [f"<rdf:li rdf:resource={quoteattr(e.link)}/>" for e in reversed(feed.entries)]
    out += ["</rdf:Seq>", "</items>", "</channel>"]
    for entry in reversed(feed.entries):
        when = moment(feed, entry)
        out += [
            f"<item rdf:about={quoteattr(entry.link)}>",
            el("title", entry.title),
            el("link", entry.link),
            el("description", to_html(entry.body)),
            el("dc:creator", entry.author),
            el("dc:subject", "; ".join(entry.tags)),
        ]
        if when is not None:
            out.append(el("dc:date", rfc3339(when)))
        out.append("</item>")
    out += ["</rdf:RDF>", ""]
    return layout(out)


# --- content --------------------------------------------------------------------------------

PT = "https://pytorch.demo.example/blog"

PYTORCH_BLOG = (
    E(
        "2026-09-29 10:00",
        "Faster cold starts: caching torch.compile artifacts across machines",
        f"{PT}/torch-compile-cache-sharing/",
        """
        The first call to a function wrapped in `torch.compile` pays for tracing, graph lowering
        and kernel autotuning. On a large model that can mean several minutes before the first
        useful step, and every new pod in an autoscaling group pays it again.

        This post shows how to package the compiler’s on-disk artifacts (the FX graph cache,
        the Inductor code cache and the autotuning results) so a fleet of identical machines
        compiles once and reuses the output. We cover cache keys, why a driver upgrade
        invalidates them, and how to warm a cache in CI so production replicas start in seconds
        rather than minutes.

        In our measurements a 7B-parameter decoder went from a 212-second cold start to 19
        seconds when the cache was restored from object storage.
        """,
        author="Mira Castellanos",
        tags=("compiler", "torch.compile", "performance"),
    ),
    E(
        "2026-10-01 09:30",
        "FSDP2 in practice: sharding a 70B model on 64 GPUs",
        f"{PT}/fsdp2-in-practice/",
        """
        Fully sharded data parallelism splits parameters, gradients and optimizer state across
        ranks, gathering each layer’s weights only while it computes. FSDP2 rebuilds this on
        per-parameter sharding with DTensor, which makes it compose with tensor parallelism and
        makes state dicts far easier to reason about.

        We walk through a 70B-parameter training run on eight nodes: how we chose the wrapping
        granularity, why we enabled forward prefetch but not CPU offload, how mixed-precision
        policies interact with gradient reduction in fp32, and what the memory timeline looked
        like before and after. There is also a short comparison with DeepSpeed ZeRO-3 for teams
        deciding between the two.
        """,
        author="Tobias Lindqvist",
        tags=("distributed", "fsdp", "training"),
    ),
    E(
        "2026-10-06 11:00",
        "Writing a fused softmax kernel in Triton and calling it from PyTorch",
        f"{PT}/fused-softmax-in-triton/",
        """
        Triton, the Python-embedded language for GPU kernels, lets you write a row-wise softmax
        that reads each row once, keeps it in on-chip memory and writes the result once. That is
        the whole trick behind most fused kernels: fewer round trips to HBM.

        We build the kernel step by step: program ids and block sizes, masking the tail of rows
        whose length is not a power of two, numerically stable max-subtraction, and autotuning
        `num_warps`. Then we register it as a custom op so `torch.compile` can trace through it,
        and benchmark it against the eager implementation on rows from 512 to 32k elements.
        """,
        author="Aiko Brennan",
        tags=("triton", "kernels", "gpu"),
    ),
    E(
        "2026-10-08 13:00",
        "Exporting to ONNX with the dynamo-based exporter: a migration guide",
        f"{PT}/onnx-dynamo-exporter-migration/",
        """
        The TorchScript-based ONNX exporter is in maintenance mode; the exporter built on
        `torch.export` is now the recommended path. For most models the migration is one flag,
        but models with data-dependent control flow, custom autograd functions or in-place
        updates on views need attention.

        This guide lists the errors you are most likely to see, what each one means and how to
        fix it: marking dynamic dimensions explicitly, replacing Python-side branching with
        `torch.cond`, and registering a translation for an unsupported operator. We finish by
        validating the exported graph with ONNX Runtime and comparing outputs to a tolerance.
        """,
        author="Sunil Varga",
        tags=("onnx", "export", "deployment"),
    ),
    E(
        "2026-10-14 10:30",
        "Int4 weight-only quantization with torchao",
        f"{PT}/int4-weight-only-torchao/",
        """
        Weight-only int4 quantization stores each linear layer’s weights in four bits with a
        per-group scale, then dequantizes on the fly inside the matrix multiply. For
        memory-bound decoding this is close to a free lunch: the GPU spends most of its time
        reading weights, and those reads shrink roughly fourfold compared with bf16.

        We quantize an 8B chat model with torchao, compare group sizes of 32, 64 and 128, and
        measure perplexity and tokens per second. We also explain when int8 dynamic activation
        quantization is the better choice (large batches, compute-bound prefill) and how the
        approach relates to the GPTQ and AWQ checkpoints you may already have.
        """,
        author="Hélène Okoro",
        tags=("quantization", "inference", "torchao"),
    ),
    E(
        "2026-10-20 09:00",
        "PyTorch 2.10 release: highlights for training and inference",
        f"{PT}/pytorch-2-10-release/",
        """
        PyTorch 2.10 is available today. The headline changes: `torch.compile` now caches
        compiled regions across processes by default, FlexAttention gains a backward pass for
        block-sparse masks on more GPUs, the new ONNX exporter is the default, and distributed
        checkpointing can reshard on load between different parallelism layouts.

        On the inference side, int4 and float8 weight-only kernels moved out of prototype, and
        `torch.export` handles more dynamic-shape patterns without graph breaks. The release
        also drops support for Python 3.9 and for CUDA 11.8 builds. Thanks to the more than
        400 contributors who made this release.
        """,
        author="PyTorch release team (demo)",
        tags=("release",),
    ),
    E(
        "2026-10-22 14:00",
        "Activation checkpointing, explained with memory timelines",
        f"{PT}/activation-checkpointing-memory-timelines/",
        """
        Activation checkpointing trades compute for memory: instead of keeping every
        intermediate activation for the backward pass, you keep a few and recompute the rest.
        The question is always which ones.

        Using the memory snapshot tool, we plot a transformer block’s allocations over one
        training step with no checkpointing, full per-layer checkpointing, and selective
        checkpointing that only recomputes cheap pointwise operations. Selective checkpointing
        recovered 38% of peak memory at a 6% step-time cost, against 61% of memory and 27% of
        step time for the full variant.
        """,
        author="Tobias Lindqvist",
        tags=("training", "memory"),
    ),
    E(
        "2026-10-28 10:00",
        "Float8 training on H100-class GPUs: what we learned",
        f"{PT}/float8-training-lessons/",
        """
        Training in float8 promises close to twice the matmul throughput of bf16, but only if
        scaling is handled well. We trained a 3B model for 200B tokens with tensorwise and
        rowwise scaling and report loss curves, throughput and the two instabilities we hit: an
        overflow in the attention output projections and a slowly drifting amax history. Both
        had simple fixes, which we describe along with the configuration we now use by default.
        """,
        author="Aiko Brennan",
        tags=("training", "float8", "precision"),
    ),
    E(
        "2026-11-03 11:30",
        "Distributed checkpointing: save on 256 ranks, load on 64",
        f"{PT}/distributed-checkpointing-resharding/",
        """
        Gathering a full state dict onto rank 0 before saving stops working long before you
        reach frontier scale. Distributed checkpointing writes each rank’s shards in parallel,
        along with a metadata file describing the global tensors, and can load them into a
        different sharding layout later.

        We show how to save asynchronously so the training loop keeps running, how to reshard a
        checkpoint produced with FSDP plus tensor parallelism onto a smaller evaluation cluster,
        and how to convert it to a single safetensors file for publishing.
        """,
        author="Tobias Lindqvist",
        tags=("distributed", "checkpointing"),
    ),
    E(
        "2026-11-05 15:00",
        "Profiling a slow DataLoader: a worked example",
        f"{PT}/profiling-a-slow-dataloader/",
        """
        Our GPUs sat at 35% utilisation on an image-classification job that *should* have been
        compute-bound. Here’s how we found out why, step by step, using nothing more exotic
        than the built-in profiler & a stopwatch.

        ## Step 1: look at the trace

        We captured ten steps with the profiler and opened the trace in the browser viewer:

        ```
        from torch.profiler import profile, schedule, ProfilerActivity

        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA],
                     schedule=schedule(wait=1, warmup=2, active=10)) as prof:
            for step, (images, labels) in enumerate(loader):
                train_step(images, labels)
                prof.step()
        ```

        ![A profiler trace with long gaps between CUDA kernels](https://pytorch.demo.example/assets/images/dataloader-trace.png)

        The gaps between kernels were the whole story: the GPU was waiting for the next batch.

        ## Step 2: find the slow part

        - JPEG decoding happened in Python, one image at a time.
        - `num_workers` was 2 on a 32-core machine.
        - Each worker re-opened a 40 GB index file for every sample.

        ## Step 3: fix it

        Raising `num_workers` to 12, enabling `persistent_workers` and `pin_memory`, and moving
        decoding to the GPU brought utilisation to 93%. The full code is in the
        [example repository](https://github.demo.example/pytorch-demo/dataloader-profiling?utm_source=blog&utm_medium=rss&utm_campaign=dataloader-post),
        and the [profiler docs](https://docs.pytorch.demo.example/profiler.html?utm_source=rss&utm_medium=feed)
        cover the trace viewer in depth.
        """,
        author="Sunil Varga",
        tags=("performance", "data-loading", "profiling"),
    ),
    E(
        "2026-11-10 10:00",
        "torch.export for serving: from nn.Module to a portable program",
        f"{PT}/torch-export-for-serving/",
        """
        `torch.export` captures a model into a single graph with no Python left in it, which
        makes it a sound starting point for serving runtimes, ahead-of-time compilation and
        mobile targets. We export a retrieval model, inspect the resulting ExportedProgram,
        specify which dimensions are dynamic, and compile it ahead of time with AOTInductor into
        a shared library that a C++ server can load without a Python interpreter.
        """,
        author="Mira Castellanos",
        tags=("export", "deployment"),
    ),
    E(
        "2026-11-12 13:30",
        "Contributor spotlight: the people behind the nightly CI",
        f"{PT}/contributor-spotlight-nightly-ci/",
        """
        Every night, thousands of test shards run against the main branch on CPUs, several GPU
        generations and three operating systems. This month we talked to the small rotation of
        volunteers and staff who keep the signal green: how they triage flaky tests, why they
        quarantine rather than delete them, and the dashboard they wish they had built five
        years earlier.
        """,
        author="PyTorch community team (demo)",
        tags=("community",),
    ),
    E(
        "2026-11-16 09:00",
        "FlexAttention patterns for long-context training",
        f"{PT}/flexattention-long-context-patterns/",
        """
        FlexAttention lets you express an attention variant as a small Python function over
        scores and indices, then compiles it into a fused kernel. We collect patterns that come
        up in long-context training: sliding windows, document masking for packed sequences,
        prefix-LM masks and ALiBi-style biases. For each we show the mask function, the block
        sparsity it enables and measured throughput at 64k tokens.
        """,
        author="Aiko Brennan",
        tags=("attention", "long-context"),
    ),
    E(
        "2026-11-17 10:00",
        "When bf16 losses diverge: mixed-precision pitfalls",
        f"{PT}/bf16-divergence-pitfalls/",
        """
        bf16 has the exponent range of fp32 but only eight bits of mantissa, so small updates to
        large weights can vanish. We reproduce three divergences from real runs: a loss spike
        caused by accumulating gradients in bf16, an optimizer whose second-moment estimate
        underflowed, and a layer norm computed in low precision. Each comes with the one-line
        fix and a test you can add to catch it early.
        """,
        author="Hélène Okoro",
        tags=("training", "precision"),
    ),
    E(
        "2026-11-18 11:00",
        "Context parallelism for million-token sequences",
        f"{PT}/context-parallelism-million-tokens/",
        """
        When one sequence no longer fits on one GPU, context parallelism splits it along the
        sequence dimension and passes key and value blocks around a ring of devices. We explain
        ring attention’s communication pattern, how it overlaps with compute, load balancing for
        causal masks and how to combine it with FSDP. A 1M-token training step on 32 GPUs is the
        running example.
        """,
        author="Tobias Lindqvist",
        tags=("distributed", "long-context"),
    ),
    E(
        "2026-11-19 14:00",
        "Reducing recompilations in torch.compile with dynamic shapes",
        f"{PT}/torch-compile-recompilations/",
        """
        If your logs fill with recompilation messages, `torch.compile` is specialising on values
        that change between calls: a sequence length, a batch size, a Python integer in the
        config. We show how to read the recompilation reasons, mark dimensions as dynamic up
        front, avoid guards on Python scalars, and cap the cache size so a bad input cannot stall
        a server. One inference service went from 41 recompiles an hour to none.
        """,
        author="Mira Castellanos",
        tags=("compiler", "torch.compile"),
    ),
    E(
        "2026-11-20 10:30",
        "A LoRA fine-tuning recipe with torchtune",
        f"{PT}/lora-recipe-torchtune/",
        """
        Low-rank adaptation freezes the base model and trains small rank-r matrices added to
        selected projections, cutting trainable parameters by three orders of magnitude. This
        recipe fine-tunes an 8B model on a single 48 GB GPU with LoRA on the attention and MLP
        projections, then merges the adapters for deployment. We cover rank and alpha choices,
        QLoRA with a 4-bit base model, and evaluation before and after.
        """,
        author="Sunil Varga",
        tags=("fine-tuning", "lora"),
    ),
    E(
        "2026-11-21 09:00",
        "Backend status: PyTorch on ROCm, Apple silicon and Intel GPUs",
        f"{PT}/backend-status-autumn-2026/",
        """
        A twice-yearly roundup of accelerator backends beyond CUDA: which operator coverage gaps
        closed, where `torch.compile` works end to end, and the known issues worth reading
        before you file a bug. Highlights this round are complete FlexAttention support on ROCm
        and faster half-precision matrix multiplies on Apple silicon.
        """,
        author="Hélène Okoro",
        tags=("hardware",),
    ),
)

HF = "https://huggingface.demo.example/blog"

HUGGINGFACE_BLOG = (
    E(
        "2026-09-30 16:00",
        "An open benchmark for long-context retrieval",
        f"{HF}/long-context-retrieval-benchmark",
        """
        Models advertise context windows of hundreds of thousands of tokens, but how much of that
        context can they actually use? We are releasing a benchmark of 2,400 questions whose
        answers depend on facts spread across long documents: contracts, codebases and meeting
        transcripts.

        Unlike needle-in-a-haystack tests, the facts are paraphrased rather than copied, and many
        questions need two or three of them combined. Early results show accuracy falling
        sharply beyond 32k tokens for most open models, and retrieval-augmented baselines with
        an 8k window beating several long-context models outright.
        """,
        author="Lena Marchetti",
        tags=("evaluation", "long-context"),
    ),
    E(
        "2026-10-02 14:00",
        "Fine-tuning small language models with LoRA on a single GPU",
        f"{HF}/lora-single-gpu",
        """
        You do not need a cluster to adapt a 1–3B parameter model to your domain. With
        parameter-efficient fine-tuning, a consumer GPU with 16 GB of memory is enough.

        This walkthrough uses PEFT to attach LoRA adapters to a small instruction model, trains
        on 20,000 support-ticket conversations and compares ranks 8, 16 and 64. Rank 16 matched
        full fine-tuning on our task with 0.4% of the trainable parameters. We also show how to
        push the adapter alone to the Hub so others can load it on top of the base model.
        """,
        author="Kwame Adjei-Fosu",
        tags=("fine-tuning", "lora", "peft"),
    ),
    E(
        "2026-10-07 15:30",
        "GPTQ or AWQ? Choosing a 4-bit format for your open model",
        f"{HF}/gptq-or-awq",
        """
        Both GPTQ and AWQ compress weights to four bits using a small calibration set, and both
        load in transformers with a single argument. They differ in what they protect: GPTQ
        minimises layer-wise reconstruction error using second-order information, while AWQ
        rescales salient weight channels according to activation magnitudes before rounding.

        We quantized six open models both ways and measured perplexity, downstream accuracy and
        decoding speed with several kernels. The short version: the quality gap is small and
        model-dependent, kernel availability on your hardware matters more, and int8 remains the
        safe choice when accuracy is paramount.
        """,
        author="Ines Dallmayr",
        tags=("quantization", "inference"),
    ),
    E(
        "2026-10-13 13:00",
        "Training a vision transformer with JAX and Flax on TPUs",
        f"{HF}/vit-jax-flax-tpu",
        """
        JAX’s functional style takes some getting used to, but it pays off when you scale: `jit`
        compiles a whole training step with XLA, and sharding annotations spread it across a TPU
        pod without changing the model code.

        We train a ViT-B/16 from scratch on ImageNet-1k using Flax’s NNX API, Optax for the
        optimizer and Orbax for checkpoints. The post covers data loading with Grain, setting up
        a device mesh and the handful of `jax.lax` primitives you need to know. Training reached
        80.1% top-1 accuracy in under nine hours on a v5e-64 slice.
        """,
        author="Rafael Quintero",
        tags=("jax", "tpu", "vision"),
    ),
    E(
        "2026-10-15 10:00",
        "Sentence embeddings for semantic search: a practical guide",
        f"{HF}/semantic-search-guide",
        """
        Keyword search finds documents that share words with the query; semantic search finds
        documents that share meaning. The workhorse is a sentence embedding model that maps text
        to a vector, so that related texts land close together.

        This guide covers choosing a model (small models such as all-MiniLM-L6-v2 are still
        excellent for English at 384 dimensions), chunking long documents, normalising vectors so
        that inner product equals cosine similarity, building a FAISS index, and mixing in BM25
        scores for exact identifiers, such as error codes, that embeddings handle poorly.
        """,
        author="Lena Marchetti",
        tags=("embeddings", "search"),
    ),
    E(
        "2026-10-21 11:00",
        "Streaming datasets from Parquet and Arrow: fewer copies, faster epochs",
        f"{HF}/datasets-parquet-arrow-streaming",
        """
        The datasets library stores everything as Apache Arrow tables memory-mapped from disk,
        so a 500 GB dataset opens instantly and costs almost no RAM. In streaming mode you can
        also iterate over Parquet shards in object storage without downloading them first.

        We look at what happens under the hood when you call `map`, why batched functions that
        return Arrow-friendly types are dramatically faster, and how the new Parquet reader skips
        row groups using column statistics. A tokenisation job over 1.2 billion rows went from
        three hours to forty minutes.
        """,
        author="Kwame Adjei-Fosu",
        tags=("datasets", "arrow", "data-loading"),
    ),
    E(
        "2026-10-27 16:00",
        "Serving many LoRA adapters from one base model",
        f"{HF}/multi-lora-serving",
        """
        Fine-tuning one adapter per customer or per task is cheap; deploying one GPU per adapter
        is not. Multi-adapter serving keeps a single copy of the base model in memory and applies
        the right low-rank update per request, so hundreds of fine-tuned variants can share a GPU.

        We explain how batched LoRA kernels group requests by adapter inside one forward pass,
        how adapters are loaded and evicted on demand, and what the overhead looks like: about 8%
        extra latency at rank 16 with 50 active adapters on an 8B base model, compared with
        serving the base model alone.
        """,
        author="Ines Dallmayr",
        tags=("lora", "serving", "inference"),
    ),
    E(
        "2026-10-29 12:00",
        "Preference tuning with DPO: a hands-on recipe",
        f"{HF}/dpo-recipe",
        """
        Direct preference optimisation learns from pairs of chosen and rejected responses
        without training a separate reward model or running reinforcement learning. Here we use
        TRL to run DPO on a 7B model with LoRA, discuss how the beta parameter controls drift
        from the reference model, and show why filtering near-identical pairs out of your
        preference data matters more than most hyperparameters.
        """,
        author="Rafael Quintero",
        tags=("alignment", "fine-tuning"),
    ),
    E(
        "2026-11-04 14:00",
        "Training a tokenizer for a low-resource language",
        f"{HF}/low-resource-tokenizer",
        """
        A tokenizer trained mostly on English splits words in other languages into many short
        pieces, making every sequence longer and every request more expensive. We train a
        byte-level BPE tokenizer for Yoruba with the tokenizers library, merge it into an
        existing vocabulary, and initialise the new embeddings as averages of their old
        sub-pieces. Fertility dropped from 2.9 to 1.4 tokens per word.
        """,
        author="Kwame Adjei-Fosu",
        tags=("tokenizers", "multilingual"),
    ),
    E(
        "2026-11-09 10:00",
        "spaCy pipelines meet transformer embeddings",
        f"{HF}/spacy-transformer-pipelines",
        """
        spaCy’s pipelines are built for production NLP: tokenisation, tagging, parsing and
        entity recognition with predictable speed and a small footprint. Swapping the default
        tok2vec layer for a transformer encoder makes the components more accurate, at a cost.

        We benchmark an English NER pipeline three ways (a CNN tok2vec, a distilled transformer
        and a full-size one) on accuracy, words per second on CPU and GPU, and memory. We also
        show how to package the trained pipeline as a Python wheel and load it next to a Hub
        model in the same service.
        """,
        author="Lena Marchetti",
        tags=("spacy", "nlp"),
    ),
    E(
        "2026-11-11 15:00",
        "Text generation on CPUs: a benchmark notebook",
        f"{HF}/cpu-text-generation-benchmark",
        """
        Not every deployment has a GPU. We benchmarked small language models on commodity
        server CPUs to see what’s practical today — and where the limits are.

        ![Tokens per second by model size and thread count](https://huggingface.demo.example/blog/assets/cpu-bench/throughput.png)

        ## Setup

        - Models from 0.5B to 8B parameters, in bf16, int8 and int4.
        - Two server CPUs with AVX-512 and AMX, with 32 and 64 cores.
        - Prompts of 512 tokens, 256 generated tokens, batch sizes 1 and 8.

        ## Results

        With int4 weights and AMX, a 1.5B model generated 48 tokens/s at batch size 1, fast
        enough for an interactive assistant. An 8B model managed 11 tokens/s: fine for
        background jobs & summaries, sluggish for chat.

        ```
        python bench.py --model demo/small-chat-1.5b --dtype int4 --threads 32 --batch 1
        ```

        <script>window.demoAnalytics && window.demoAnalytics.track("cpu-bench")</script>

        The full notebook, with raw numbers for every configuration, is
        [on the Hub](https://huggingface.demo.example/datasets/demo/cpu-bench?utm_source=blog&utm_medium=feed&utm_campaign=cpu-bench).
        Try it on your own hardware and
        [tell us what you find](https://discuss.huggingface.demo.example/t/cpu-benchmarks/4412?utm_source=blog&utm_medium=feed).
        """,
        author="Ines Dallmayr",
        tags=("inference", "cpu", "benchmarks"),
    ),
    E(
        "2026-11-13 11:00",
        "Refreshing the open model leaderboard: what changed in the methodology",
        f"{HF}/leaderboard-methodology-refresh",
        """
        Benchmarks saturate and leak into training data. For this refresh we retired three tasks
        on which the top models were within noise of each other, added a contamination check
        that compares each model’s accuracy on original and paraphrased test items, and now
        report confidence intervals instead of bare scores. Rankings moved: nine models from the
        former top twenty fell out of it.
        """,
        author="Lena Marchetti",
        tags=("evaluation", "leaderboard"),
    ),
    E(
        "2026-11-16 14:00",
        "Speculative decoding with a draft model: measured speed-ups",
        f"{HF}/speculative-decoding-measured",
        """
        Speculative decoding lets a small draft model propose several tokens that the large model
        then verifies in a single forward pass. When the draft is right you get several tokens
        for the price of one large step; when it is wrong, the output is still exactly what the
        large model would have produced.

        We measured acceptance rates and end-to-end latency for four model pairs on code, chat
        and summarisation prompts. Speed-ups ranged from 1.3x on creative writing to 2.8x on
        code completion, where the draft model guesses boilerplate easily.
        """,
        author="Rafael Quintero",
        tags=("inference", "speculative-decoding"),
    ),
    E(
        "2026-11-17 09:30",
        "Smaller embeddings with Matryoshka representation learning",
        f"{HF}/matryoshka-embeddings",
        """
        Matryoshka training makes the first dimensions of an embedding carry the most
        information, so you can truncate a 768-dimensional vector to 256 or even 64 dimensions
        and keep most of its retrieval quality. We fine-tune a sentence-transformers model with
        a Matryoshka loss and measure recall at each size: at 128 dimensions it keeps 97% of the
        full-size NDCG@10 while the index shrinks sixfold.
        """,
        author="Lena Marchetti",
        tags=("embeddings",),
    ),
    E(
        "2026-11-18 13:00",
        "Synthetic data for instruction tuning, without the slop",
        f"{HF}/synthetic-instruction-data",
        """
        Synthetic instruction data is cheap to generate and easy to get wrong: repetitive
        phrasing, answers that sound confident and are not, and topics that drift toward what the
        generator likes to talk about. We describe a pipeline that seeds generation with real
        user questions, filters with a separate judge model, deduplicates with MinHash and keeps
        a held-out, human-written set to catch regressions.
        """,
        author="Kwame Adjei-Fosu",
        tags=("data", "fine-tuning"),
    ),
    E(
        "2026-11-19 10:00",
        "Safetensors everywhere: loading weights without pickle",
        f"{HF}/safetensors-everywhere",
        """
        Pickle-based checkpoints can execute arbitrary code when they are loaded. Safetensors
        stores only tensors and a JSON header, loads with zero copies through memory mapping,
        and is now the default format for new uploads. This post explains the format, shows how
        to convert legacy checkpoints in bulk, and covers the remaining places where pickle still
        shows up, such as optimizer states and custom configuration objects.
        """,
        author="Ines Dallmayr",
        tags=("security", "safetensors"),
    ),
    E(
        "2026-11-20 15:00",
        "Exporting transformers models to ONNX for CPU inference",
        f"{HF}/onnx-cpu-inference",
        """
        For CPU-bound services, exporting to ONNX and running with ONNX Runtime often beats eager
        PyTorch by a wide margin. We export a text classifier and an embedding model with
        Optimum, apply graph optimisations and dynamic int8 quantization, and compare latency.
        The embedding model served 2.3 times more requests per second per core, with accuracy
        unchanged to three decimal places.
        """,
        author="Rafael Quintero",
        tags=("onnx", "export", "inference"),
    ),
    E(
        "2026-11-21 11:00",
        "Evaluating function calling: how reliable are open models with tools?",
        f"{HF}/function-calling-reliability",
        """
        Agents fail in undramatic ways: a misspelled argument name, a date in the wrong format,
        a tool called twice. We built a suite of 1,100 tool-use scenarios with executable checks
        and ran twelve open models through it. Structured-output decoding removed nearly all
        schema errors, but choosing the right tool and knowing when to stop remain hard, even
        for the largest models.
        """,
        author="Lena Marchetti",
        tags=("agents", "evaluation"),
    ),
)

VLLM = "https://github.demo.example/vllm-project/vllm/releases"

VLLM_RELEASES = (
    E(
        "2026-09-30 18:20",
        "v0.11.0",
        f"{VLLM}/tag/v0.11.0",
        """
        ## Highlights

        The rewritten engine is now the only engine and the legacy code path is gone. Expect
        lower CPU overhead per step and simpler configuration.

        - Chunked prefill and prefix caching are enabled by default for all decoder models.
        - The KV cache manager frees blocks as soon as a sequence finishes streaming, which
          improves throughput under bursty load.
        - Multi-node tensor parallelism uses the Ray executor when
          `--distributed-executor-backend ray` is set and a Ray cluster is detected.

        ## Model support

        - [Model] Add three new mixture-of-experts architectures.
        - [Model] Vision-language models accept several images per prompt.

        ## Breaking changes

        - Python 3.9 is no longer supported.
        - The `--use-v2-block-manager` flag has been removed.
        """,
        author="release-shepherd",
    ),
    E(
        "2026-10-07 17:05",
        "v0.11.1",
        f"{VLLM}/tag/v0.11.1",
        """
        ## Bug fixes

        - [Bugfix] Fix a crash when a LoRA adapter is unloaded while requests using it are queued.
        - [Bugfix] Correct token counts in usage statistics for streamed responses.
        - [Frontend] Return HTTP 400 instead of 500 for prompts longer than the context window.
        - [Kernel] Fix an illegal memory access in the Triton attention backend for head size 80.

        ## Performance

        - [Perf] Reduce scheduler overhead for batches above 256 sequences by about 15%.
        """,
        author="kv-blocksmith",
    ),
    E(
        "2026-10-14 19:40",
        "v0.11.2",
        f"{VLLM}/tag/v0.11.2",
        """
        ## Highlights

        - FP8 KV cache is supported on more GPUs, halving cache memory for long contexts with
          negligible accuracy loss on our evaluation suite.
        - AWQ and GPTQ checkpoints use the Marlin kernels by default on supported hardware; int4
          decoding is up to 2.1x faster than with the previous kernels.

        ## Other changes

        - [Core] Block tables are allocated on the GPU, removing a host-to-device copy per step.
        - [Bugfix] Fix prefix cache misses when prompts differ only in the final partial block.
        - [Docs] New guide to sizing `--gpu-memory-utilization` and `--max-num-seqs`.
        """,
        author="release-shepherd",
    ),
    E(
        "2026-10-21 16:00",
        "v0.12.0rc1",
        f"{VLLM}/tag/v0.12.0rc1",
        """
        Release candidate for v0.12.0. Please test it and report regressions in the tracking
        issue.

        - [Core] New structured-output backend: JSON-schema and regex constraints are compiled
          once and cached per schema.
        - [Spec decode] Tree-based speculative decoding with a lightweight draft head.
        - [Distributed] Pipeline parallelism across nodes without Ray, using the multiprocessing
          executor and torch.distributed.
        """,
        author="batch-wrangler",
    ),
    E(
        "2026-10-27 20:15",
        "v0.12.0",
        f"{VLLM}/tag/v0.12.0",
        """
        ## Highlights

        - **Structured outputs**: constraints are compiled once per schema and cached; JSON-schema
          decoding overhead drops below 5% of step time.
        - **Speculative decoding**: tree-based drafts with up to 64 candidate tokens per step;
          1.8–2.6x lower latency on code workloads at batch size 1.
        - **Multi-LoRA**: up to 512 adapters resident on one GPU, with adapter weights swapped in
          from CPU memory on demand.
        - **Distributed**: pipeline parallelism across nodes no longer requires Ray; the Ray
          executor remains supported for clusters that already run it.

        ## Deprecations

        - The `--enable-chunked-prefill` flag is now a no-op and will be removed in v0.13.

        ## Thanks

        62 people made their first contribution in this release.
        """,
        author="release-shepherd",
    ),
    E(
        "2026-11-03 18:00",
        "v0.12.1",
        f"{VLLM}/tag/v0.12.1",
        """
        ## Bug fixes

        - [Bugfix] Fix a memory leak in the structured-output cache when schemas vary per request.
        - [Bugfix] Tree speculative decoding duplicated tokens when a request was pre-empted.
        - [Kernel] Fix wrong results in the fused MoE kernel for experts with fewer than 16 tokens.
        - [CI] Run the distributed test suite on every merge, not only nightly.
        """,
        author="kv-blocksmith",
    ),
    E(
        "2026-11-10 17:30",
        "v0.12.2",
        f"{VLLM}/tag/v0.12.2",
        """
        ## Highlights

        - [Perf] KV cache blocks shared by requests with the same prefix are reference-counted
          across the whole batch, so a system prompt used by thousands of concurrent requests is
          stored once.
        - [Quantization] Load int8 W8A8 checkpoints produced by llm-compressor and torchao.

        ## Bug fixes

        - [Bugfix] The OpenAI-compatible server now honours `max_completion_tokens`.
        - [Bugfix] Fix a hang when a Ray placement group cannot be scheduled; startup now fails
          with a clear error after a timeout.
        """,
        author="batch-wrangler",
    ),
    E(
        "2026-11-12 15:00",
        "v0.13.0rc1",
        f"{VLLM}/tag/v0.13.0rc1",
        """
        First release candidate for v0.13.0.

        - [Core] Disaggregated prefill and decode: run prefill on one pool of GPUs and decode on
          another, transferring KV cache blocks over NVLink or RDMA.
        - [Core] KV cache offloading to CPU memory for idle multi-turn sessions.
        - [Kernel] A new attention backend written in Triton, used as a portable fallback on GPUs
          without vendor-specific kernels.
        """,
        author="release-shepherd",
    ),
    E(
        "2026-11-16 19:00",
        "v0.13.0rc2",
        f"{VLLM}/tag/v0.13.0rc2",
        """
        - [Bugfix] Fix KV transfer timeouts in disaggregated mode when the decode pool restarts.
        - [Bugfix] CPU offloading evicted blocks still referenced by a running request.
        - [Perf] Lower first-token latency for requests that hit the CPU-offloaded cache, by
          prefetching their blocks while they wait in the queue.
        """,
        author="kv-blocksmith",
    ),
    E(
        "2026-11-18 20:30",
        "v0.13.0",
        f"{VLLM}/tag/v0.13.0",
        """
        ## Highlights

        - **Disaggregated serving**: separate prefill and decode pools, with KV cache blocks
          transferred between them. On long-prompt workloads this cut p99 time to first token
          by 3.4x on the same hardware.
        - **KV cache offloading**: idle multi-turn sessions move their cache to CPU memory and
          back, so returning users skip recomputing their conversation.
        - **Portable attention**: a Triton-based attention backend runs on any GPU that Triton
          supports.
        - **Quantization**: FP8 and int4 weight formats share one loader; GPTQ, AWQ and
          compressed-tensors checkpoints load through the same path.

        ## Breaking changes

        - `--enable-chunked-prefill` has been removed.
        - The minimum supported PyTorch version is now 2.10.
        """,
        author="release-shepherd",
    ),
    E(
        "2026-11-19 16:45",
        "v0.12.3",
        f"{VLLM}/tag/v0.12.3",
        """
        Backport release for users who cannot move to v0.13 yet.

        - [Bugfix] Backport the structured-output cache leak fix.
        - [Security] Reject `chat_template` overrides sent in requests unless
          `--trust-request-chat-template` is set.
        """,
        author="batch-wrangler",
    ),
    E(
        "2026-11-20 21:00",
        "v0.13.1",
        f"{VLLM}/tag/v0.13.1",
        """
        ## Bug fixes

        - [Bugfix] Fix a crash at startup when both CPU offloading and prefix caching are off.
        - [Bugfix] Disaggregated mode ignored `--max-model-len` on the decode pool.
        - [Frontend] Add `/v1/models` metadata for loaded LoRA adapters.
        - [Docs] Migration notes for v0.12 users.
        """,
        author="kv-blocksmith",
    ),
)

TF = "https://github.demo.example/huggingface/transformers/releases"

TRANSFORMERS_RELEASES = (
    E(
        "2026-10-01 15:00",
        "v5.1.0",
        f"{TF}/tag/v5.1.0",
        """
        ## New models

        - Three new decoder-only architectures, including a mixture-of-experts model with shared
          experts.
        - A document-understanding model that reads page images without OCR.

        ## Quantization

        - torchao int4 weight-only quantization can be selected with
          `TorchAoConfig("int4_weight_only")` and saved as safetensors.
        - bitsandbytes int8 loading works with `device_map="auto"` across several GPUs without
          extra configuration.

        ## Generation

        - `generate` uses a static KV cache by default when `torch.compile` is enabled, which
          avoids recompiling as the sequence grows.
        """,
        author="model-herder",
    ),
    E(
        "2026-10-09 12:00",
        "Patch release v5.1.1",
        f"{TF}/tag/v5.1.1",
        """
        - Fix loading GPTQ checkpoints whose config stores `desc_act` as a string.
        - Fix `apply_chat_template` dropping the system message for two chat templates.
        - Restore compatibility with DeepSpeed ZeRO-3 for models with tied embeddings.
        """,
        author="patch-pilot",
    ),
    E(
        "2026-10-16 13:30",
        "Patch release v5.1.2",
        f"{TF}/tag/v5.1.2",
        """
        - Fix a regression where `Trainer` saved FSDP checkpoints as full state dicts even when
          sharded state dicts were requested.
        - Fix the attention mask with SDPA and left padding in batched generation.
        """,
        author="patch-pilot",
    ),
    E(
        "2026-10-23 14:00",
        "v5.2.0",
        f"{TF}/tag/v5.2.0",
        """
        ## Highlights

        - **Attention interface**: attention implementations (eager, SDPA, FlashAttention,
          FlexAttention) are pluggable per layer, and third-party kernels can be registered from
          the Hub.
        - **Tensor parallelism**: `tp_plan="auto"` shards supported models across GPUs at load
          time.
        - **Faster loading**: weights load directly onto the target device in parallel; a 70B
          checkpoint went from six minutes to ninety seconds on our test machine.

        ## Removals

        - The TensorFlow and JAX/Flax model classes, deprecated since v5.0, have been removed.
          Use the PyTorch classes, or export to ONNX for other runtimes.
        """,
        author="model-herder",
    ),
    E(
        "2026-10-30 11:00",
        "Patch release v5.2.1",
        f"{TF}/tag/v5.2.1",
        """
        - Fix `tp_plan="auto"` failing for models with untied output embeddings.
        - Fix the FlexAttention backward pass with padding masks.
        - Require a safetensors version that supports parallel loading.
        """,
        author="patch-pilot",
    ),
    E(
        "2026-11-06 12:30",
        "Patch release v5.2.2",
        f"{TF}/tag/v5.2.2",
        """
        - Fix AWQ fused modules producing NaNs at batch sizes above 32.
        - Fix `Trainer` resuming from a checkpoint with a LoRA adapter saved by PEFT.
        """,
        author="patch-pilot",
    ),
    E(
        "2026-11-12 16:00",
        "v5.3.0",
        f"{TF}/tag/v5.3.0",
        """
        ## New models

        - Two small multilingual encoders suited to retrieval and classification.
        - An audio-language model for speech understanding and transcription.

        ## Features

        - **Continuous batching in `generate`**: a simple built-in scheduler for serving many
          requests from one process, useful for evaluation jobs.
        - **Quantization**: FP8 checkpoints load natively on supported GPUs; GPTQ and AWQ models
          can be converted to the compressed-tensors format.
        - **Chat templates** are validated at load time, with clearer error messages.
        """,
        author="model-herder",
    ),
    E(
        "2026-11-17 10:00",
        "Patch release v5.3.1",
        f"{TF}/tag/v5.3.1",
        """
        - Fix a continuous-batching deadlock when a request is cancelled.
        - Fix the multilingual encoder tokenizer returning a wrong offsets mapping.
        """,
        author="patch-pilot",
    ),
    E(
        "2026-11-19 13:00",
        "Patch release v5.3.2",
        f"{TF}/tag/v5.3.2",
        """
        - Fix loading FP8 checkpoints on CPU for inspection.
        - Fix `Trainer` with FSDP2 and gradient accumulation reporting a loss multiplied by the
          number of accumulation steps.
        """,
        author="patch-pilot",
    ),
    E(
        "2026-11-21 09:00",
        "Patch release v5.3.3",
        f"{TF}/tag/v5.3.3",
        """
        - Security: `trust_remote_code` now warns when remote code changes between revisions.
        - Fix the audio-language processor on inputs shorter than one second.
        """,
        author="patch-pilot",
    ),
)

PYPI_RAY = "https://pypi.demo.example/project/ray"
RAY_SUMMARY = "Ray is a distributed compute framework for scaling Python and ML workloads."


def ray_release(when: str, version: str) -> Entry:
    return E(
        when, version, f"{PYPI_RAY}/{version}/", RAY_SUMMARY, author="ray-maintainers@demo.example"
    )


PYPI_RAY_RELEASES = (
    ray_release("2026-09-29 21:10", "2.48.0"),
    ray_release("2026-10-03 18:40", "2.48.1"),
    ray_release("2026-10-09 19:05", "2.48.2"),
    ray_release("2026-10-14 22:30", "2.49.0rc1"),
    ray_release("2026-10-20 23:05", "2.49.0"),
    ray_release("2026-10-28 17:30", "2.49.1"),
    ray_release("2026-11-04 19:15", "2.49.2"),
    ray_release("2026-11-08 20:00", "2.50.0rc1"),
    ray_release("2026-11-12 22:45", "2.50.0"),
    ray_release("2026-11-17 18:00", "2.50.1"),
    ray_release("2026-11-19 20:30", "2.50.2"),
    ray_release("2026-11-21 16:10", "2.51.0rc1"),
)

ARXIV = "https://arxiv.demo.example/abs"

# Cross-listed in cs.LG and cs.CL: the same paper, with the same link, in both feeds.
SPEC_DECODING_TREES = E(
    "2026-11-17 01:00",
    "Tree-structured drafts for speculative decoding: a unified analysis",
    f"{ARXIV}/2611.13377",
    """
    Speculative decoding accelerates autoregressive generation by letting a cheap draft model
    propose tokens that the target model verifies in parallel. Recent systems propose trees
    of candidate continuations rather than single sequences, increasing the expected number
    of accepted tokens per verification step at the cost of more computation per step. Many
    tree construction heuristics have been proposed, but they are evaluated on different
    models, hardware and workloads, which makes them hard to compare. We develop a unified
    analysis in which the expected speed-up of any static or dynamic tree is expressed in
    terms of the draft model’s calibrated acceptance probabilities and the hardware’s cost of
    verifying a given number of tokens. Under this model, the optimal tree for a fixed
    verification budget can be found with a greedy algorithm, and we prove its optimality in
    the static case. Experiments with four model pairs and two GPU types show that trees
    built this way are within 4% of the best of seven published heuristics on every
    workload, whereas each heuristic is more than 15% worse on at least one. The analysis
    also explains why large trees stop helping at high batch sizes, where verification is no
    longer memory bound.
    """,
    author="Irene Castillo, Hamid Rezaei, Mia Sørensen, Kwabena Asante",
    tags=("cs.LG", "cs.CL"),
)

ARXIV_CS_LG = (
    E(
        "2026-09-28 01:00",
        "Label-efficient chest X-ray triage with self-supervised pretraining",
        f"{ARXIV}/2609.24817",
        """
        Triage models for chest radiographs could shorten the time to treatment for urgent
        findings, but hospitals rarely have more than a few thousand expert-labelled X-ray images,
        and labels mined from radiology reports are noisy. We study how far self-supervised
        pretraining on unlabelled images can close this gap. Using 1.1 million unlabelled frontal
        and lateral chest X-rays from four hospitals, we pretrain vision encoders with masked
        image modelling and with a contrastive objective that treats the two views of one study
        as positives. We then fine-tune on labelled subsets ranging from 1% to 100% of a triage
        dataset with three urgency levels. With only 2,000 labelled studies, the contrastive
        encoder reaches an AUROC of 0.91 for the urgent class, matching a supervised baseline
        initialised from natural images and trained on 40,000 studies. The gain holds on an
        external test set from a fifth hospital with different scanners, although calibration
        degrades and must be corrected with temperature scaling on a small local sample. Most
        remaining false negatives are subtle pneumothoraces near the lung apex, where image
        resolution rather than label quantity appears to be the limit. We release the
        pretraining code and model weights under a research licence.
        """,
        author="Ana Ribeiro, Kenji Watanabe, Priya Natarajan, Tomasz Wrona",
        tags=("cs.LG", "eess.IV"),
    ),
    E(
        "2026-09-30 01:00",
        "Differentiable ray tracing for learned indoor radio maps",
        f"{ARXIV}/2609.26104",
        """
        Predicting received signal strength throughout a building is essential for planning
        wireless networks, but measurement campaigns are slow and classical propagation models
        ignore geometry. Ray tracing captures reflections and diffraction explicitly, yet it
        needs material parameters that are rarely known. We present a differentiable ray tracer
        in which each ray carries its path loss and phase through a sequence of interactions with
        walls, floors and furniture, and in which the electromagnetic properties of every surface
        are learnable. Given a floor plan and a sparse set of measurements, gradients flow from
        the prediction error back through the traced rays to the material parameters and to a
        small neural correction term for effects the geometry misses, such as people and clutter.
        On three office buildings, fitting to 50 measurement points reduces the median prediction
        error from 7.8 dB for a calibrated empirical model to 3.1 dB, and the learned materials
        transfer between floors of the same building. We discuss the cost of tracing enough rays
        to avoid aliasing at 28 GHz, and show that importance sampling of reflection paths cuts
        the number of rays needed by an order of magnitude without biasing the gradient.
        """,
        author="Lukas Brandl, Yetunde Afolabi, Marco Pellegrini",
        tags=("cs.LG", "eess.SP"),
    ),
    E(
        "2026-10-02 01:00",
        "Unsupervised mapping of nitrogen ice on Triton from Voyager 2 imagery",
        f"{ARXIV}/2610.01377",
        """
        Neptune’s largest moon, Triton, was imaged at close range only once, during the Voyager 2
        flyby of 1989. Those images cover about 40% of the surface at useful resolution and
        remain the main source for studying its young, geologically active terrain, including the
        cantaloupe terrain and the dark plumes of the southern polar cap. We revisit the
        calibrated image archive with unsupervised representation learning. A convolutional
        autoencoder trained on overlapping tiles, combined with photometric normalisation for the
        changing illumination and viewing angles of the flyby, produces features that cluster
        into eleven surface units. Seven of them agree with units in published geological maps;
        the other four subdivide the southern polar cap into regions whose brightness and texture
        are consistent with different grain sizes of nitrogen ice. We validate the clustering
        against the sparse spectral data available and with synthetic images rendered from a
        known map. The method is deliberately simple and may help plan observations for proposed
        missions to the Neptune system, where the question of seasonal nitrogen transport across
        Triton’s surface remains open.
        """,
        author="Elena Vasquez-Hart, Oluwaseun Bello, Ingrid Solberg",
        tags=("cs.LG", "astro-ph.EP"),
    ),
    E(
        "2026-10-05 01:00",
        "Autotuning Triton kernels with learned cost models",
        f"{ARXIV}/2610.03512",
        """
        Triton kernels expose tuning parameters such as block sizes, the number of warps and the
        number of pipeline stages, and the best configuration depends on the problem shape and
        the GPU. Today these are chosen by benchmarking a hand-written list of candidate
        configurations at first use, which adds seconds to minutes of start-up time and often
        misses better settings outside the list. We train a cost model that predicts kernel
        runtime from features of the Triton intermediate representation, the launch
        configuration and the input shapes, and use it to rank a much larger search space,
        benchmarking only the top few candidates. Across 38 kernels drawn from attention,
        normalisation, quantized matrix multiplication and mixture-of-experts routing, on three
        GPU generations, the learned tuner finds configurations within 3% of exhaustive search
        while benchmarking twelve times fewer candidates, and beats the default candidate lists
        by 9% on average. The model transfers to unseen kernels with a small amount of
        fine-tuning data. We integrate the tuner with the PyTorch compiler stack so that kernels
        generated by torch.compile benefit without user changes, and report a 14% reduction in
        compilation time for large models.
        """,
        author="Chen Yuhang, Aisha Karimova, Daniel Osei, Rebecca Lindholm",
        tags=("cs.LG", "cs.PF"),
    ),
    E(
        "2026-10-08 01:00",
        "Scalable second-order optimization in JAX with block-diagonal preconditioners",
        f"{ARXIV}/2610.06690",
        """
        Second-order optimizers in the Shampoo family can reach a target loss in fewer steps than
        Adam, but their matrix roots and inverses are expensive and awkward to distribute. We
        present an implementation in JAX that partitions each preconditioner into blocks aligned
        with the sharding of the parameters, so that every device computes roots only for the
        blocks it owns and no preconditioner is ever gathered in full. Preconditioner updates run
        every k steps on otherwise idle accelerator time, using jax.jit with explicit sharding
        annotations to overlap them with the forward and backward passes. On language models
        from 150M to 8B parameters trained on TPU v5e slices, the method reaches the same
        validation loss as a tuned AdamW baseline in 24% to 31% fewer steps and 17% less
        wall-clock time, with a per-step overhead under 6%. We study sensitivity to block size,
        update frequency and numerical precision, and find that computing roots in bf16 is
        unstable while float32 suffices at every scale we tested. The optimizer is released as
        an Optax-compatible gradient transformation.
        """,
        author="Samuel Achterberg, Mei-Lin Cho, Farid Haddad",
        tags=("cs.LG", "math.OC"),
    ),
    E(
        "2026-10-12 01:00",
        "Outlier-aware int4 weight quantization without calibration data",
        f"{ARXIV}/2610.09841",
        """
        Post-training quantization methods such as GPTQ and AWQ reach good accuracy at four bits
        but need a calibration set drawn from data similar to the deployment distribution, which
        is unavailable for some models and can leak private data into the quantization process.
        We propose a data-free method that identifies sensitive weight channels from the weights
        alone, using the kurtosis of each input channel and the scales of the preceding
        normalisation layer. Sensitive channels are kept in int8 while the rest are quantized to
        int4 with per-group scales refined by a closed-form rounding correction. The resulting
        mixed-precision layout adds only 0.15 bits per weight on average and works with existing
        int4 matrix multiplication kernels through a small side computation for the int8
        channels. On eleven open models from 1B to 70B parameters, our method matches
        calibration-based AWQ within 0.2 perplexity on average and beats round-to-nearest by 1.4
        points of zero-shot accuracy. We also show that calibration-based methods overfit to the
        domain of their calibration set, losing up to 3 points on code when calibrated on web
        text, whereas the data-free approach does not.
        """,
        author="Nikhil Raman, Sofia Lindgren, Hyun-woo Park",
        tags=("cs.LG", "cs.CL"),
    ),
    E(
        "2026-10-15 01:00",
        "Gradient-guided rank allocation for low-rank adapters",
        f"{ARXIV}/2610.12288",
        """
        Low-rank adaptation fine-tunes large models by adding trainable low-rank matrices to
        frozen weights, usually with the same rank in every layer. Yet layers differ widely in
        how much they need to change for a given task. We propose a rank allocation scheme that
        runs a short probing phase with a high uniform rank, measures the sensitivity of the loss
        to each singular direction of every adapter, and then reallocates a fixed parameter
        budget to the layers and directions that matter most. Unlike earlier adaptive methods,
        allocation happens once, so training afterwards has the same cost and code path as
        standard LoRA, and the resulting adapters can be served by existing multi-adapter
        systems. On instruction tuning, mathematical reasoning and code generation benchmarks,
        with models from 1B to 13B parameters, our method improves on uniform-rank LoRA at equal
        parameter count by 1.1 to 2.7 points, and matches it with 40% fewer parameters. The
        learned allocations are strikingly consistent: middle-depth MLP layers receive most of
        the budget for reasoning tasks, whereas attention projections in the final layers
        dominate for style transfer.
        """,
        author="Laura Moreno-Pike, Abebe Tesfaye, Jonas Ekström",
        tags=("cs.LG", "cs.CL"),
    ),
    E(
        "2026-10-19 01:00",
        "Sharded data parallelism over slow interconnects",
        f"{ARXIV}/2610.15520",
        """
        Fully sharded data parallelism, as in FSDP and DeepSpeed ZeRO stage 3, gathers parameters
        before each layer’s computation and reduce-scatters gradients after it. Within a node
        connected by NVLink this traffic hides behind compute, but across nodes connected by
        commodity Ethernet it dominates step time. We study sharded training in a setting common
        in academic and small industrial clusters: 8-GPU nodes linked by 100 Gb/s networks. We
        combine three techniques: hierarchical sharding, which shards within a node and
        replicates across nodes; gradient compression with error feedback, applied only to the
        inter-node reduction; and a scheduler that reorders all-gather and reduce-scatter
        operations to maximise overlap with each layer’s compute. On a 13B model trained on 16
        nodes, the combination raises hardware utilisation from 23% to 47% compared with default
        FSDP settings, with no measurable change in final loss over 50B tokens. We provide a cost
        model that predicts when each technique pays off from model size, node count and
        bandwidth, and validate it on four cluster configurations.
        """,
        author="Pieter de Graaf, Ming Zhao, Carolina Esteves, Ravi Subramanian",
        tags=("cs.LG", "cs.DC"),
    ),
    E(
        "2026-10-22 01:00",
        "Detecting covariate shift in production tabular models with conformal test martingales",
        f"{ARXIV}/2610.18873",
        """
        Models deployed on tabular data, such as fraud and credit scoring models, degrade
        silently when the input distribution drifts. Common monitoring practice compares feature
        histograms between a reference window and a recent window with tests such as the
        Kolmogorov-Smirnov test or the population stability index, which requires choosing
        window sizes and produces many false alarms across hundreds of features. We propose
        monitoring with conformal test martingales computed on a model-based nonconformity
        score. The martingale grows only when recent examples are consistently stranger than the
        reference data, gives an anytime-valid false alarm guarantee without fixing window sizes
        in advance, and aggregates evidence across all features at once. On five public datasets
        with injected shifts and on 18 months of logs from a payments model, our detector flags
        harmful shifts a median of 4.2 days earlier than per-feature tests tuned to the same false
        alarm rate, while ignoring benign shifts that leave model error unchanged. We also show
        how to attribute an alarm to the features responsible, which helps on-call engineers
        decide between retraining and fixing an upstream data pipeline.
        """,
        author="Greta Holmberg, Ibrahim Sesay, Lucía Ferrer",
        tags=("cs.LG", "stat.ML"),
    ),
    E(
        "2026-10-26 01:00",
        "Memory fragmentation in autoregressive inference: an allocator's view",
        f"{ARXIV}/2610.21931",
        """
        During autoregressive decoding, each request’s key-value cache grows by one entry per
        generated token, and its final length is unknown when the request arrives. Serving
        systems that reserve contiguous memory for the maximum possible length waste most of it,
        while systems that grow allocations on demand suffer from external fragmentation as
        requests of different lengths come and go. We model KV cache management as a dynamic
        storage allocation problem and compare allocator designs on production traces from three
        chat and code-completion services. Fixed-size block allocation with an indirection
        table, analogous to virtual memory in operating systems, bounds waste to less than one
        block per request and makes copy-on-write sharing of common prefixes straightforward; we
        quantify its cost as the extra memory reads of the indirection and the loss of
        contiguity for attention kernels. Block sizes of 16 to 32 tokens balance these costs on
        current GPUs, eviction policies informed by predicted output length raise the
        sustainable batch size by 18%, and compaction is rarely worth its pause time. We release
        the traces and an allocator simulator.
        """,
        author="Tariq Mansour, Yuki Hoshino, Benedikt Auer",
        tags=("cs.LG", "cs.OS"),
    ),
    E(
        "2026-10-29 01:00",
        "Point-in-time correct feature joins at scale",
        f"{ARXIV}/2610.25107",
        """
        Training data for models that use features from a feature store must be assembled so
        that every training example sees feature values as they were at the example’s timestamp,
        never values computed later. Violations of this point-in-time correctness leak future
        information, inflate offline metrics and are a frequent cause of models that disappoint
        in production. The required as-of join is expensive: naive implementations sort or scan
        the full feature history for every entity. We describe an algorithm that partitions
        feature logs by entity and time, builds lightweight interval indexes per partition, and
        executes as-of joins as a merge of sorted streams, with skew handling for entities that
        have millions of updates. Implemented on a columnar engine over Parquet files, it joins
        2.1 billion labelled events against 340 features with 19 months of history in 41 minutes
        on 32 machines, 7.5 times faster than the window-function approach used by two
        open-source feature stores. We also measure how often leakage occurs in practice by
        auditing 46 internal training pipelines, of which 9 contained at least one leaking
        feature.
        """,
        author="Hannah Kowalski, Diego Armendáriz, Wei Jie Tan",
        tags=("cs.LG", "cs.DB"),
    ),
    E(
        "2026-11-02 01:00",
        "Routing collapse in mixture-of-experts models: diagnosis and a simple fix",
        f"{ARXIV}/2611.00824",
        """
        Mixture-of-experts language models route each token to a few of many expert networks. A
        known failure mode is routing collapse, in which a handful of experts receive most
        tokens while others are starved and stop learning, wasting parameters and hurting
        quality. Auxiliary load-balancing losses mitigate collapse but interfere with the
        language modelling objective, and their weight must be tuned. We analyse the router’s
        training dynamics and show that collapse begins early, when small initial preferences
        are amplified because the router’s gradient only reaches selected experts. We propose
        adding a per-expert bias to the routing logits that is adjusted outside gradient descent,
        rising for underloaded experts and falling for overloaded ones, and that is used for
        expert selection but not for weighting expert outputs. The bias removes the need for an
        auxiliary loss. In models with 64 and 256 experts trained on 400B tokens, it achieves
        better load balance than the best tuned auxiliary loss and improves validation
        perplexity by 1.9%. We also report that collapse correlates with token frequency, with
        rare tokens routed disproportionately to a few experts.
        """,
        author="Olga Petrenko, Kofi Mensah, Julien Marchand",
        tags=("cs.LG",),
    ),
    E(
        "2026-11-05 01:00",
        "Warmup is mostly about Adam's second moment",
        f"{ARXIV}/2611.03391",
        """
        Learning-rate warmup is used almost universally when training transformers with Adam,
        but why it helps remains debated. We run controlled experiments on language and vision
        transformers and find that most of its benefit comes from the early phase in which Adam’s
        second-moment estimates are still biased and noisy, causing overly large updates for
        parameters with small gradients. Replacing warmup with a variance-aware correction to the
        second moment, or simply initialising the second moment from gradient statistics
        collected over a few batches before training, lets models train stably at the full
        learning rate from the first step. These alternatives match or slightly improve on tuned
        linear warmup across model sizes from 20M to 1.3B parameters, and remove a hyperparameter
        that otherwise needs tuning per model. We also identify a minority of runs in which
        warmup helps for a different reason, namely large changes in the effective learning rate
        of normalisation parameters, and show that excluding those parameters from weight decay
        resolves them. Our results suggest reading warmup schedules as optimizer-state
        initialisation rather than as a property of the loss landscape.
        """,
        author="Matteo Ricci, Grace Odhiambo, Anders Nyqvist",
        tags=("cs.LG", "stat.ML"),
    ),
    E(
        "2026-11-09 01:00",
        "Tabular foundation models under distribution shift",
        f"{ARXIV}/2611.06450",
        """
        Foundation models for tabular data, pretrained on millions of synthetic datasets and
        applied to new tables through in-context learning, now rival gradient-boosted trees on
        small benchmark datasets. We ask how they behave when the test distribution differs from
        the training table. Using 42 datasets with naturally occurring shifts over time,
        geography and institution, we compare three tabular foundation models with
        gradient-boosted trees and multilayer perceptrons. Under temporal shift, the foundation
        models degrade less than trees on small datasets of fewer than 5,000 rows, but their
        advantage disappears as data grows. Under institutional shift all methods suffer
        comparably, and the choice of method matters less than simply reweighting training
        examples by estimated density ratios. The foundation models’ predicted probabilities
        also stay well calibrated under shift more often than those of trees. To support
        practitioners, we release the shift benchmark with standardised splits and a harness
        that reports both accuracy and calibration for every shift type.
        """,
        author="Rosa Blanchard, Emeka Nwosu, Leonie Hartmann",
        tags=("cs.LG",),
    ),
    E(
        "2026-11-12 01:00",
        "Benchmarking vector search indexes under streaming inserts and deletes",
        f"{ARXIV}/2611.09912",
        """
        Vector databases power retrieval-augmented generation and recommendation, and most
        benchmarks measure approximate nearest neighbour search on static collections.
        Production collections are not static: documents arrive continuously, are updated and
        are deleted. We present a benchmark that replays realistic update streams against HNSW
        graphs, inverted-file indexes with product quantization and disk-based graph indexes, as
        implemented in five open-source vector databases and libraries including FAISS. We
        measure recall at fixed latency budgets as the collection evolves over simulated months.
        Graph indexes lose up to 11 points of recall after heavy deletion because tombstoned
        nodes still shape the graph, and periodic rebuilds restore it at substantial cost.
        Inverted-file indexes degrade when the data distribution drifts away from the cluster
        centroids learned at build time. We propose lightweight maintenance policies, triggered
        by a cheap recall estimate computed on a held-out query sample, that keep recall within
        one point of a freshly built index while rebuilding five times less often than fixed
        schedules.
        """,
        author="Vikram Iyer, Charlotte Dubois, Sipho Ndlovu",
        tags=("cs.LG", "cs.DB", "cs.IR"),
    ),
    E(
        "2026-11-16 01:00",
        "Continual pretraining without forgetting: replay budgets that scale",
        f"{ARXIV}/2611.12045",
        """
        Updating a pretrained language model with new data, such as a new year of web text or a
        new language, risks forgetting what it already knew. Replaying a fraction of the original
        pretraining data alongside the new data is the standard remedy, but how much replay is
        needed, and how that amount should scale with model size and the volume of new data, is
        poorly understood. We train models from 160M to 3B parameters and continually pretrain
        them on new domains with replay ratios from 0% to 50%. Forgetting follows a predictable
        power law in the number of new tokens, larger models forget less at a given ratio, and a
        replay ratio of 5% recovers most of the original performance when combined with
        re-warming the learning rate to a moderate peak. We fit a simple scaling law that
        predicts the replay ratio needed to keep forgetting below a target, and validate it on a
        held-out 7B model. The law lets practitioners budget continual pretraining runs before
        committing compute.
        """,
        author="Astrid Nilsen, Pablo Guerrero, Jin-soo Han",
        tags=("cs.LG", "cs.CL"),
    ),
    SPEC_DECODING_TREES,
    E(
        "2026-11-18 01:00",
        "Energy scores for out-of-distribution detection, recalibrated",
        f"{ARXIV}/2611.14590",
        """
        Energy-based scores derived from classifier logits are a popular and simple way to flag
        out-of-distribution inputs. We show that their performance depends strongly on the
        temperature and on differences in logit scale between classes, both of which vary across
        training recipes. We propose recalibrating energy scores with a per-class affine
        correction fitted on in-distribution validation data alone, without any outlier
        examples. On image and text classification benchmarks, recalibration improves the area
        under the ROC curve for near-distribution outliers by 3 to 9 points and more than halves
        the variance of detection performance across random seeds. We also evaluate energy
        scores as a drift signal in deployed systems: a rising mean energy over a sliding window
        anticipates accuracy drops on two real-world data streams, although it raises more false
        alarms than label-based monitoring when labels are available. We discuss when an
        unsupervised signal of this kind is worth its noise, and argue that it is most useful as
        an early warning that triggers targeted labelling. Our code provides a drop-in
        replacement for the standard energy score.
        """,
        author="Noor Al-Hashimi, Felix Baumgartner, Ayumi Sato",
        tags=("cs.LG", "stat.ML"),
    ),
    E(
        "2026-11-19 01:00",
        "Reinforcement learning from verifier feedback for mathematical reasoning",
        f"{ARXIV}/2611.15802",
        """
        Training language models with reinforcement learning against automatic verifiers, such
        as unit tests for code or exact answer checks for mathematics, has improved reasoning
        performance, but the factors that determine its success are poorly understood. We run
        more than 300 controlled experiments with models from 1.5B to 14B parameters on
        competition mathematics, varying the difficulty distribution of the training problems,
        the number of samples per problem, the KL penalty and the length budget. Three findings
        stand out. First, problems the initial model solves between 10% and 60% of the time
        provide almost all of the learning signal; filtering the training set to this band
        halves the compute needed for the same final accuracy. Second, removing the KL penalty
        entirely helps in-distribution accuracy but harms the calibration of the model’s stated
        confidence. Third, longer responses are a consequence rather than a cause of improved
        accuracy: capping length at the initial model’s median costs only 1.5 points. We release
        our training framework and the filtered problem set.
        """,
        author="Yusuf Demir, Clara Engström, Rahul Mehta, Bao Tran",
        tags=("cs.LG", "cs.AI"),
    ),
    E(
        "2026-11-20 01:00",
        "Graph neural networks for macro placement, revisited",
        f"{ARXIV}/2611.17263",
        """
        Learning-based chip placement promised to reduce weeks of manual floorplanning to hours,
        but later studies have questioned whether the reported gains hold against strong
        classical baselines. We reproduce three learning-based macro placement methods on twenty
        open designs and compare them with simulated annealing and an analytical placer, all
        given the same runtime budget and evaluated with a common routing flow. With budgets of
        a few hours, tuned simulated annealing matches or beats the learned methods on
        wirelength and congestion for 14 of the 20 designs. The learned methods excel when they
        are pretrained on similar designs and fine-tuned briefly, which suggests their value lies
        in transfer across design families rather than in optimising a single design. We propose
        a hybrid in which a graph neural network proposes an initial placement that annealing
        then refines; it achieves the best result on 16 designs at half the runtime of annealing
        alone. We release scripts for the full evaluation flow so that future comparisons can be
        reproduced.
        """,
        author="Sebastian Krüger, Amara Eze, Hiroshi Tanaka",
        tags=("cs.LG", "cs.AR"),
    ),
    E(
        None,
        "Federated fine-tuning of language models with heterogeneous clients",
        f"{ARXIV}/2611.17701",
        """
        Federated learning lets organisations fine-tune a shared model without pooling their
        data, but in practice clients differ widely in data volume, label distribution and
        hardware. We study federated fine-tuning of language models with low-rank adapters when
        some clients can train only small-rank adapters or only a subset of layers. We propose
        aggregating adapters of different ranks by projecting them into a shared subspace
        estimated on the server, and weighting client updates by an estimate of their alignment
        with the global update direction. On three text classification and two
        instruction-following tasks with 20 to 200 simulated clients, our method closes 70% of
        the gap between standard federated averaging and centralised fine-tuning, and is robust
        to a quarter of the clients holding data from a different domain. Communication per
        round falls eightfold compared with sending full adapters, because clients transmit only
        the projected coefficients. We discuss privacy implications, noting that adapter updates
        can leak training examples and should be combined with secure aggregation or
        differential privacy in real deployments.
        """,
        author="Maryam Farahani, Thomas Achebe, Liv Haugen",
        tags=("cs.LG", "cs.DC"),
    ),
    E(
        "2026-11-21 01:00",
        "Scaling laws for repeated data in code models",
        f"{ARXIV}/2611.18420",
        """
        High-quality code data is limited, and many training runs now iterate over the same
        repositories several times. We measure how repetition affects code language models from
        125M to 7B parameters trained for 4 to 64 epochs on a fixed corpus of permissively
        licensed code. Up to four epochs, repeated data is nearly as valuable as fresh data, in
        line with findings for natural language. Beyond that, returns diminish faster for code
        than for text, and functional correctness on held-out programming problems degrades
        before validation loss does, which makes loss a misleading guide when data is repeated
        heavily. Deduplicating at the level of functions rather than files, and mixing in a
        small fraction of natural-language explanations of code, both delay the onset of
        degradation. We fit a data-constrained scaling law that adds an epoch-dependent discount
        to the value of repeated tokens, and use it to recommend compute-optimal trade-offs
        between model size and number of epochs for a fixed code budget.
        """,
        author="Daniel Kipkemboi, Sara Lindqvist-Obi, Arjun Nair",
        tags=("cs.LG", "cs.SE"),
    ),
)

ARXIV_CS_CL = (
    E(
        "2026-09-29 01:00",
        "Robust clinical named entity recognition with spaCy and weak supervision",
        f"{ARXIV}/2609.25533",
        """
        Extracting medications, dosages and conditions from clinical notes usually requires
        thousands of annotated documents, which are expensive because annotation needs clinical
        expertise and access to protected data. We present a weakly supervised pipeline built on
        spaCy that combines labelling functions derived from medical vocabularies, regular
        expressions for dosage patterns and a small number of annotated examples. The outputs of
        the labelling functions are aggregated by a generative label model into probabilistic
        training labels, which train spaCy’s transition-based entity recognizer on top of a
        domain-adapted transformer encoder. On two de-identified clinical corpora, the pipeline
        trained without any manual annotation reaches an F1 of 0.81, and adding 200 annotated
        notes raises it to 0.88, within two points of a fully supervised model trained on 4,000
        notes. Because the result is a standard spaCy package, it processes more than 1,500 notes
        per minute on a single CPU core with a distilled encoder, which makes it practical for
        hospitals without GPU infrastructure. An error analysis by entity type shows that
        abbreviations and negated mentions account for most of the remaining mistakes.
        """,
        author="Fatima Zahra Idrissi, Owen Gallagher, Sunita Rao",
        tags=("cs.CL",),
    ),
    E(
        "2026-10-01 01:00",
        "Embedding space anisotropy in multilingual sentence encoders",
        f"{ARXIV}/2610.00415",
        """
        Sentence embeddings produced by transformer encoders are known to be anisotropic: they
        occupy a narrow cone of the embedding space, so that even unrelated sentences have high
        cosine similarity. We study anisotropy in multilingual encoders and how it interacts with
        language identity. Across eight encoders and 40 languages, we find that a small number of
        dimensions encode the language of the input and dominate the geometry, so that sentences
        in the same language cluster together regardless of meaning. This structure harms
        cross-lingual retrieval, where a query in one language should retrieve documents in
        another. Removing the top principal components per language, or whitening embeddings
        with statistics estimated on a few thousand unlabelled sentences per language, improves
        cross-lingual retrieval by up to 12 points of recall at ten while leaving monolingual
        performance unchanged. Contrastive fine-tuning with translation pairs reduces language
        clustering but does not eliminate it, and the residual language signal is concentrated
        in the same few dimensions across model sizes, which suggests a simple post-processing
        step for any multilingual retrieval system.
        """,
        author="Katarzyna Nowak, Adebayo Ogunleye, Mathieu Roux",
        tags=("cs.CL", "cs.IR"),
    ),
    E(
        "2026-10-06 01:00",
        "Long context or retrieval? When more context hurts question answering",
        f"{ARXIV}/2610.04418",
        """
        Language models with context windows of hundreds of thousands of tokens make it tempting
        to skip retrieval and place whole document collections in the prompt. We compare this
        strategy with retrieval-augmented generation on six question answering datasets in which
        the relevant evidence makes up less than 1% of the available text. With the same model,
        retrieving the top 20 passages outperforms long-context prompting on five of the six
        datasets, and the gap widens as the amount of irrelevant context grows. Errors in the
        long-context setting are dominated by distraction, where the model answers from a passage
        that is topically related but not relevant, and by position effects, with evidence in the
        middle of long prompts used least reliably. Combining the two strategies, by retrieving
        passages and then expanding each with its surrounding document context, gives the best
        accuracy on all datasets at a fraction of the cost of full long-context prompting. We
        give guidance on choosing between the strategies based on corpus size and evidence
        density, and release our evaluation harness.
        """,
        author="Harriet Cole, Vusi Dlamini, Ahmed Fawzy, Lin Qiao",
        tags=("cs.CL", "cs.IR"),
    ),
    E(
        "2026-10-09 01:00",
        "Auditing synthetic dialogues for instruction tuning",
        f"{ARXIV}/2610.07762",
        """
        Instruction tuning datasets increasingly consist of conversations generated by other
        language models. We audit eight widely used synthetic dialogue datasets for quality
        problems that are hard to see in aggregate statistics: factual errors in assistant turns,
        repeated templates, user turns that are implausibly cooperative, and topic distributions
        skewed toward what generator models find easy to discuss. Combining automatic checks with
        expert annotation of 3,000 sampled dialogues, we estimate that between 6% and 22% of
        assistant turns contain a factual error, and that up to 40% of user turns follow one of a
        small number of templates. Fine-tuning on audited subsets, from which flagged dialogues
        are removed, improves the factual accuracy of the resulting models and reduces their
        tendency to give confident but wrong answers, with no loss on instruction-following
        benchmarks. We release our audit tools and annotation guidelines, and recommend that
        synthetic datasets ship with documentation of the generator models, prompts and filters
        used to build them.
        """,
        author="Beatriz Almeida, Jakob Steiner, Nomvula Khumalo",
        tags=("cs.CL",),
    ),
    E(
        "2026-10-13 01:00",
        "Byte-level language modelling with learned patches",
        f"{ARXIV}/2610.10934",
        """
        Subword tokenizers are fixed before training, treat rare words and non-Latin scripts
        poorly and make models brittle to spelling variation. Byte-level models avoid these
        problems but need far more compute because their sequences are several times longer. We
        propose a model that groups bytes into variable-length patches using boundaries
        predicted by a small byte-level network, so that predictable spans such as the ends of
        common words are merged into single patches while surprising spans remain fine-grained.
        A large transformer operates on patch representations and a lightweight decoder predicts
        the bytes within each patch. At 1B and 3B parameters, the model matches the perplexity of
        a subword baseline on English with 15% fewer training FLOPs, outperforms it on seven
        low-resource languages, and is markedly more robust to character-level noise such as
        typos and inconsistent casing. Because patching is learned, the model spends more
        computation on harder text without any language-specific engineering, and its patch
        boundaries turn out to align closely with morpheme boundaries in several languages.
        """,
        author="Tuomas Virtanen, Aaliyah Brooks, Sanjay Kulkarni",
        tags=("cs.CL", "cs.LG"),
    ),
    E(
        "2026-10-16 01:00",
        "Evaluating summary factuality with question generation and answering",
        f"{ARXIV}/2610.13398",
        """
        Abstractive summarisers sometimes state facts that the source document does not support.
        Metrics based on question answering detect such errors by generating questions from the
        summary and checking whether the source yields the same answers. We revisit these
        metrics with current language models as both question generators and answerers. A
        careful evaluation on four human-annotated benchmarks shows that much of their reported
        advantage over simpler entailment-based metrics came from weak question generators, and
        that with strong components both families perform comparably. The question-based metrics
        remain more interpretable, since each flagged question points to a specific unsupported
        claim. We propose a hybrid metric that scores sentences with entailment and falls back to
        question answering only for sentences with low entailment confidence; it matches the best
        single metric’s correlation with human judgements at a third of the cost. We also
        document annotation inconsistencies in two of the benchmarks that change metric
        rankings, and release corrected labels.
        """,
        author="Eleanor Whitfield, Chidi Okonkwo, Marta Kowalczyk",
        tags=("cs.CL",),
    ),
    E(
        "2026-10-20 01:00",
        "Cross-lingual low-rank adapters for low-resource translation",
        f"{ARXIV}/2610.16650",
        """
        Massively multilingual translation models serve hundreds of languages but perform poorly
        on many low-resource pairs. Fine-tuning the full model for each pair is expensive and
        risks degrading the others. We train low-rank adapters for each language, rather than for
        each language pair, and compose source and target adapters at inference time, so that a
        new language needs one adapter rather than one per partner language. Adapters are trained
        on a mix of small parallel corpora and back-translated monolingual text, with a
        regulariser that aligns adapter outputs for translation-equivalent sentences. On 24
        low-resource languages from four families, composed adapters improve chrF by 4.1 points
        on average over the base model and close most of the gap to pair-specific adapters while
        using twelve times fewer parameters in total. Zero-shot translation between two
        low-resource languages never seen together in training also improves, which suggests
        that the adapters capture language-specific rather than pair-specific knowledge.
        """,
        author="Kalani Makoa, Ngozi Eze, Pedro Salgado",
        tags=("cs.CL",),
    ),
    E(
        "2026-10-23 01:00",
        "Teaching question answering models to abstain",
        f"{ARXIV}/2610.19985",
        """
        Question answering systems are often required to answer every question, yet in many
        applications a wrong answer costs far more than no answer. We study calibrated abstention
        for language models in open-domain question answering. We compare abstention based on
        token probabilities, on verbalised confidence, on agreement among multiple samples and on
        a trained probe over hidden states. The probe offers the best trade-off between coverage
        and accuracy on in-domain data, but sample agreement transfers better to new domains. We
        then fine-tune models to abstain explicitly by rewarding correct answers, penalising wrong
        ones and giving a small reward for abstaining, and find that the fine-tuned models
        abstain appropriately on questions about events after their training data. At 80%
        coverage, the best system halves the error rate compared with always answering. We
        discuss how abstention interacts with retrieval, where a retrieved passage can give a
        model unwarranted confidence, and propose a simple check that compares answers with and
        without the retrieved context.
        """,
        author="Gabriel Lefèvre, Aiyana Redcloud, Sung-min Cho",
        tags=("cs.CL", "cs.AI"),
    ),
    E(
        "2026-10-27 01:00",
        "Quantized language models forget languages unevenly",
        f"{ARXIV}/2610.23306",
        """
        Quantizing large language models to eight or four bits preserves English benchmark
        scores remarkably well, which has encouraged wide deployment of quantized models. We show
        that the picture is different for other languages. Evaluating four model families
        quantized with round-to-nearest, GPTQ and AWQ at int8 and int4 on tasks in 30 languages,
        we find that int4 quantization reduces accuracy on low-resource languages two to five
        times more than on English, and that calibration-based methods help less for languages
        absent from the calibration set. Human evaluation of open-ended generation in six
        languages confirms that the loss of fluency is noticeable to native speakers even when
        benchmark differences are small. Including multilingual text in the calibration set
        recovers about half of the loss, and keeping embedding and output layers in higher
        precision recovers most of the rest. We argue that quantized models should be evaluated
        multilingually before release, and provide a compact multilingual evaluation suite for
        this purpose.
        """,
        author="Marisol Quispe, Henrik Dahl, Zainab Yusuf",
        tags=("cs.CL", "cs.LG"),
    ),
    E(
        "2026-10-30 01:00",
        "Measuring sycophancy in chat assistants",
        f"{ARXIV}/2610.26647",
        """
        Chat assistants trained with human feedback tend to agree with their users: they revise
        correct answers when a user pushes back and praise flawed work. We introduce a benchmark
        of 5,000 multi-turn conversations in which a simulated user expresses a mistaken belief,
        disputes a correct answer, or asks for feedback on work that contains planted errors.
        Across fourteen assistants, the rate at which correct answers are abandoned after mild
        pushback ranges from 9% to 58% and is only weakly correlated with model size.
        Sycophancy is strongest when the user claims expertise. We test three mitigations, namely
        an instruction in the system prompt, fine-tuning on conversations in which the assistant
        politely maintains correct answers, and a penalty in the reward model, and find that
        fine-tuning reduces capitulation by two thirds without making assistants less willing to
        correct genuine mistakes. The benchmark and evaluation code are publicly released, along
        with a taxonomy of sycophantic behaviours to guide future annotation.
        """,
        author="Imogen Clarke, Babajide Adeyemi, Tomás Herrera",
        tags=("cs.CL", "cs.AI"),
    ),
    E(
        "2026-11-03 01:00",
        "Verifier-guided decoding for search-augmented reasoning",
        f"{ARXIV}/2611.01512",
        """
        Language models that interleave reasoning with web searches can answer complex questions,
        but errors in early steps, such as a poorly chosen query or a misread result, propagate
        to the final answer. We propose decoding with a verifier that scores each intermediate
        step, including search queries and claims extracted from results, and using those scores
        to guide a beam search over reasoning trajectories. The verifier is trained on
        trajectories labelled automatically by whether they lead to correct answers, with credit
        assigned to individual steps through Monte Carlo rollouts. On four multi-hop question
        answering benchmarks, verifier-guided decoding improves exact match by 6.3 points over
        greedy decoding and by 2.8 points over self-consistency at the same compute budget. The
        verifier also allows trajectories that have gone wrong to be stopped early, reducing the
        average number of search calls per question by 35%. We analyse the verifier’s errors and
        find that it is most often misled by search results that are confidently worded but
        outdated.
        """,
        author="Lars Gundersen, Precious Moyo, Ke Wang",
        tags=("cs.CL", "cs.IR"),
    ),
    E(
        "2026-11-06 01:00",
        "Learned token eviction for compressing the KV cache",
        f"{ARXIV}/2611.04877",
        """
        The key-value cache of a transformer grows linearly with context length and quickly
        dominates memory during long-context inference. Eviction methods discard cached entries
        for tokens judged unimportant, usually with heuristics based on accumulated attention
        scores. We instead train a small scoring network per layer to predict which tokens will
        receive attention in the future, using a training signal derived from runs with the full
        cache. At inference time the cache is kept at a fixed budget by evicting the
        lowest-scoring entries, while a window of recent tokens is always retained. On
        long-document question answering and summarisation benchmarks, keeping 10% of the cache
        loses 1.2 points on average with learned eviction, compared with 4.6 points for the best
        heuristic. The scoring networks add less than 1% to decoding latency. Combined with a
        block-based cache layout, eviction frees whole blocks of memory, which lets a serving
        system admit 3.1 times more concurrent long-context requests.
        """,
        author="Anjali Deshpande, Morten Holm, Ji-yeon Lee",
        tags=("cs.CL", "cs.LG"),
    ),
    E(
        "2026-11-10 01:00",
        "A benchmark for code-switched speech transcripts",
        f"{ARXIV}/2611.07734",
        """
        Multilingual speakers often switch languages within a sentence, yet speech recognition
        and downstream language understanding systems are rarely evaluated on code-switched
        speech. We release a benchmark of 180 hours of conversational speech across six language
        pairs, transcribed by bilingual annotators with word-level language tags, together with
        intent and entity annotations for a subset of 20,000 utterances. Evaluating five speech
        recognition systems, we find that word error rates on code-switched utterances are 1.6
        to 3 times higher than on monolingual utterances from the same speakers, with errors
        concentrated at switch points and on words borrowed between languages. Downstream intent
        classification on automatic transcripts loses up to 14 points of accuracy relative to
        gold transcripts. Fine-tuning the recognisers on 20 hours of code-switched data roughly
        halves the gap, which suggests that modest, targeted data collection is effective.
        """,
        author="Rohan Kapoor, Lerato Mokoena, Isabel Ortega",
        tags=("cs.CL", "eess.AS"),
    ),
    E(
        "2026-11-13 01:00",
        "Grammar-constrained decoding without the throughput penalty",
        f"{ARXIV}/2611.10259",
        """
        Many applications require language model outputs that follow a formal structure, such as
        a JSON schema or a domain-specific language. Grammar-constrained decoding guarantees
        validity by masking tokens that would violate the grammar, but computing masks at every
        step can slow generation substantially, especially with large vocabularies and complex
        grammars. We present a method that precomputes, for each state of a pushdown automaton
        derived from the grammar, a compact representation of the allowed tokens, and handles
        the remaining context-dependent cases with a fast incremental check. Mask computation
        overlaps with the model’s forward pass on the GPU. On JSON schemas drawn from real APIs
        and on a SQL grammar, the overhead of constrained decoding falls below 3% of step time at
        batch size 64, compared with 20% to 60% for existing open-source implementations. We also
        show that constraining outputs can change a model’s answers in subtle ways, and recommend
        placing free-text reasoning fields before constrained ones.
        """,
        author="Nils Bergström, Adaeze Okafor-Reid, Yuto Morimoto",
        tags=("cs.CL", "cs.PL"),
    ),
    E(
        "2026-11-16 01:00",
        "Dialect robustness of toxicity classifiers",
        f"{ARXIV}/2611.12610",
        """
        Toxicity classifiers moderate online content at scale, and their errors fall unevenly on
        different communities. We evaluate seven commercial and open classifiers on a new
        dataset of 12,000 social media posts written in four English dialects and annotated for
        toxicity by speakers of each dialect. False positive rates for non-toxic posts in African
        American English and Scottish English are up to three times higher than for comparable
        posts in Standard American English, driven largely by reclaimed terms and
        dialect-specific spellings. Fine-tuning with counterfactual examples, in which dialect
        features are varied while meaning is held fixed, reduces the disparity by 60% at a small
        cost in overall accuracy. We discuss the limitations of dialect labels, the difficulty of
        separating dialect from topic, and the importance of involving affected communities in
        annotation and in decisions about how classifiers are deployed.
        """,
        author="Moira Sinclair, DeShawn Carter, Ewa Zielinska",
        tags=("cs.CL", "cs.CY"),
    ),
    SPEC_DECODING_TREES,
    E(
        "2026-11-18 01:00",
        "Which way does text flow? Measuring the arrow of time in language models",
        f"{ARXIV}/2611.14062",
        """
        Natural language has a direction: we read and write from beginning to end. Does that
        direction matter to a language model? We train pairs of otherwise identical models to
        predict text forwards and backwards, with sizes from 70M to 3B parameters, on corpora of
        English, Chinese, source code and arithmetic. Backward models consistently reach a
        slightly higher loss than forward ones. The gap is small, persists at every scale and
        differs across domains: it is largest for code, where definitions precede their uses, and
        for arithmetic, where carrying is easier in one direction. We connect this asymmetry to
        the way information about what comes next is distributed in text, and argue that it
        reflects genuine structure rather than an artefact of tokenisation, since it survives
        byte-level modelling. The results offer a simple probe of temporal and causal structure
        in sequence data, and suggest caution in assuming that findings about forward models
        transfer to bidirectional or reversed training objectives.
        """,
        author="Philippa Grant, Oyelaran Adisa, Viktor Hansson",
        tags=("cs.CL", "cs.LG"),
    ),
    E(
        "2026-11-19 01:00",
        "Retrieval heads: a mechanistic look at how transformers copy from context",
        f"{ARXIV}/2611.15333",
        """
        Language models with long context windows must locate and copy information from far back
        in their input. We identify a sparse set of attention heads, fewer than 5% of all heads,
        that are responsible for most of this retrieval behaviour in six open model families.
        Ablating these heads collapses performance on tasks that require copying facts from the
        context while leaving perplexity on ordinary text almost unchanged. The heads emerge early
        in pretraining, and which heads they are stays stable through fine-tuning and context
        extension. They attend both to exact repetitions of the query tokens and to paraphrases,
        with the latter relying on heads in later layers. We show that protecting retrieval heads
        from cache eviction, keeping their full key-value cache while compressing the caches of
        other heads, preserves long-context accuracy at a fraction of the memory. These findings
        connect mechanistic interpretability to practical inference optimisation, and we release
        tools to locate retrieval heads in new models with a few hundred probe prompts.
        """,
        author="Cecilia Amundsen, Obinna Eze, Rui Fernandes",
        tags=("cs.CL", "cs.LG"),
    ),
    E(
        None,
        "A survey of tokenisation for morphologically rich languages",
        f"{ARXIV}/2611.16410",
        """
        Tokenisation decisions have outsized effects for languages with rich morphology, such as
        Finnish, Turkish, Swahili and many Indigenous languages, where a single word may carry
        the meaning of a whole English phrase. We survey 140 papers that study tokenisation for
        such languages and organise them by approach: frequency-based subword methods,
        morphologically informed segmentation, character- and byte-level models, and learned
        segmentation. We synthesise the evidence on how each approach affects downstream tasks,
        including translation, named entity recognition and language modelling, and find that
        gains from morphological segmentation are consistent in low-resource settings but shrink
        as training data grows. We identify gaps in evaluation, in particular the lack of
        intrinsic measures that predict downstream performance and the scarcity of benchmarks for
        polysynthetic languages, and propose a common reporting standard covering fertility,
        vocabulary overlap across languages and segmentation consistency.
        """,
        author="Aino Lehtonen, Kemal Aydın, Wanjiru Kamau",
        tags=("cs.CL",),
    ),
)

MW = "https://mlops-weekly.demo.example"

MLOPS_WEEKLY = (
    E(
        "2026-09-28 08:00",
        "Data versioning without tears: DVC, lakeFS and plain object storage",
        f"{MW}/2026/09/data-versioning-without-tears/?utm_source=rss&utm_medium=feed",
        """
        Three ways teams version training data, compared on the questions that matter in a
        post-mortem: can you reproduce last month’s model exactly, and how long does it take to
        find out which rows changed? DVC keeps pointers in git, lakeFS gives you branches over
        object storage, and dated prefixes with a manifest file get you surprisingly far. Our
        take: start with manifests, and adopt a tool when more than one team writes to the same
        data.
        """,
        author="Nora Feldstein",
        tags=("data-versioning",),
        guid="mlops-weekly:2026-40:1",
    ),
    E(
        "2026-09-30 08:00",
        "MLflow model registry: migrating from stages to aliases",
        f"{MW}/2026/09/mlflow-stages-to-aliases/?utm_source=rss&utm_medium=feed",
        """
        If your deployment scripts still look for models in the “Production” stage, this is the
        migration guide you need. Aliases such as `champion` and `challenger` replace fixed
        stages, tags carry validation status, and one registered model can have as many named
        pointers as your rollout process needs. We walk through a script that converts stage
        transitions into aliases without downtime, and how to update the serving side to resolve
        `models:/fraud-scorer@champion`.
        """,
        author="Nora Feldstein",
        tags=("mlflow", "model-registry"),
        guid="mlops-weekly:2026-40:2",
    ),
    E(
        "2026-10-02 08:00",
        "Interview: Ray Okafor on running a three-person ML platform team",
        f"{MW}/2026/10/interview-ray-okafor/",
        """
        Ray Okafor leads the ML platform group at a mid-sized logistics company, where three
        engineers support forty data scientists. We talked about saying no to bespoke
        infrastructure, why his team owns the training templates but not the models, and the
        weekly office hours that replaced most of their support tickets. Ray’s advice for new
        platform leads: write down what you will not build, and publish it.
        """,
        author="Nora Feldstein",
        tags=("interview", "platform-teams"),
        guid="mlops-weekly:2026-40:3",
    ),
    E(
        "2026-10-05 08:00",
        "FSDP2 in practice: sharding a 70B model on 64 GPUs",
        f"{PT}/fsdp2-in-practice/?utm_source=mlops-weekly&utm_medium=email&utm_campaign=issue-41",
        """
        The PyTorch team’s walkthrough of a large fully sharded training run is the clearest
        explanation of wrapping granularity and prefetching we have seen. Worth reading even if
        you train much smaller models: the memory-timeline plots alone will change how you debug
        out-of-memory errors. Includes a short comparison with DeepSpeed ZeRO-3.
        """,
        author="Nora Feldstein",
        tags=("distributed", "training"),
        guid="mlops-weekly:2026-41:1",
    ),
    E(
        "2026-10-09 08:00",
        "Weights & Biases sweeps on a shared GPU cluster: quotas that work",
        f"{MW}/2026/10/wandb-sweeps-shared-cluster/",
        """
        Hyperparameter sweeps are the fastest way to use up a shared cluster. A reader describes
        how their team runs Weights & Biases sweeps with agents launched as Kubernetes jobs, a
        per-team cap on concurrent trials, and early termination with Hyperband so that hopeless
        runs free their GPUs within minutes. Runs, configs and system metrics all land in one
        W&B project per experiment, which turned the monthly cost review into a ten-minute
        conversation.
        """,
        author="Nora Feldstein",
        tags=("wandb", "experiment-tracking", "kubernetes"),
        guid="mlops-weekly:2026-41:2",
    ),
    E(
        "2026-10-12 08:00",
        "Drift detection that does not page you at 3 a.m.",
        f"{MW}/2026/10/drift-detection-without-pages/",
        """
        Most drift alerts are noise: a feature’s distribution moved, and the model did not care.
        This week’s essay argues for alerting on prediction drift and on delayed-label
        performance, and for treating per-feature drift as a diagnostic you look at after an
        alert rather than as a trigger. It includes a worked example with population stability
        index thresholds, Evidently reports, and a Prometheus rule that fires only when
        prediction drift and a proxy metric move together.
        """,
        author="Nora Feldstein",
        tags=("monitoring", "drift"),
        guid="mlops-weekly:2026-42:1",
    ),
    E(
        "2026-10-16 08:00",
        "Ray Data for batch inference: lessons from a two-billion-row backfill",
        "https://retail-eng.demo.example/posts/ray-data-backfill?utm_source=mlops-weekly"
        "&utm_medium=email&utm_campaign=issue-42",
        """
        A retail team re-scored two billion product descriptions with a new embedding model using
        Ray Data on a 40-GPU Ray cluster. The write-up covers sizing actor pools so the GPUs never
        wait for CPU preprocessing, streaming results to Parquet instead of collecting them, and
        recovering from spot-instance preemptions without restarting the job. Final throughput
        was 310,000 rows per second, at a third of the cost of their previous Spark job.
        """,
        author="Nora Feldstein",
        tags=("ray", "batch-inference"),
        guid="mlops-weekly:2026-42:2",
    ),
    E(
        "2026-10-19 08:00",
        "Shipping a spaCy NER model behind FastAPI",
        f"{MW}/2026/10/spacy-ner-fastapi/",
        """
        A compact tutorial on turning a trained spaCy entity recognizer into a service: load the
        pipeline once per worker, use `nlp.pipe` with batching for throughput, disable the
        components you do not need, and return character offsets so downstream systems can
        highlight entities. Load tests show 2,000 short documents per second on four CPU cores
        with the small English pipeline.
        """,
        author="Nora Feldstein",
        tags=("spacy", "nlp", "serving"),
        guid="mlops-weekly:2026-43:1",
    ),
    E(
        "2026-10-21 08:00",
        "PyTorch 2.10 is out: what changes for your training jobs",
        f"{MW}/2026/10/pytorch-2-10-training-notes/",
        """
        The new PyTorch release landed this week. For training teams, three things stand out:
        compiled graphs are now cached across processes out of the box, so restarts and new
        workers skip most of the compilation; distributed checkpoints can be loaded into a
        different parallel layout; and Python 3.9 support is gone, so check your base images.
        Inference teams get the int4 and float8 weight-only kernels promoted to stable.
        """,
        author="Nora Feldstein",
        tags=("pytorch", "release"),
        guid="mlops-weekly:2026-43:2",
    ),
    E(
        "2026-10-23 08:00",
        "Feature stores in 2026: Feast, managed platforms and roll-your-own",
        f"{MW}/2026/10/feature-stores-survey/",
        """
        Do you still need a feature store? We surveyed 120 readers. Teams with real-time features
        (fraud, ranking) overwhelmingly run one, most often Feast or a managed cloud offering,
        mainly for online/offline consistency and point-in-time joins. Batch-only teams
        increasingly get by with a warehouse, dbt models and a thin serving cache. The most
        common regret: adopting a feature store before there was a second model to reuse the
        features.
        """,
        author="Nora Feldstein",
        tags=("feature-store",),
        guid="mlops-weekly:2026-43:3",
    ),
    E(
        "2026-10-26 08:00",
        "Meet the maintainers: how Jax keeps the on-call rotation sane",
        f"{MW}/2026/10/meet-the-maintainers-on-call/",
        """
        Jacqueline “Jax” Moreau maintains the alerting rules and runbooks for a 60-person data
        organisation. Jax walked us through her rotation design: two-week shifts with a shadow
        week first, a hard rule that every page links to a runbook, and a monthly review that
        deletes at least one alert. Her favourite metric is the number of pages per shift that
        needed no action, which she wants at zero.
        """,
        author="Nora Feldstein",
        tags=("interview", "on-call"),
        guid="mlops-weekly:2026-44:1",
    ),
    E(
        "2026-10-30 08:00",
        "Offsite notes: a torch, a tent and no Wi-Fi",
        f"{MW}/2026/10/offsite-notes/",
        """
        The newsletter team spent three days hiking instead of writing, so this issue is short.
        Lessons that apply to incident response as much as to camping: pack a torch with fresh
        batteries before you need it, agree on who carries the map, and write the plan down
        where everyone can read it when the signal drops. Normal service resumes next week.
        """,
        author="Nora Feldstein",
        tags=("meta",),
        guid="mlops-weekly:2026-44:2",
    ),
    E(
        "2026-11-02 08:00",
        "Kubernetes GPU scheduling: KServe, Kueue and the queue you forgot",
        f"{MW}/2026/11/kubernetes-gpu-scheduling/",
        """
        Serving and training on the same Kubernetes cluster means two kinds of GPU demand with
        opposite shapes. This piece shows a setup in which KServe InferenceServices get
        guaranteed capacity through priority classes, training jobs queue through Kueue with fair
        sharing between teams, and preemption rules let a burst of inference traffic reclaim
        GPUs from low-priority batch jobs within a minute.
        """,
        author="Nora Feldstein",
        tags=("kubernetes", "kserve", "gpu"),
        guid="mlops-weekly:2026-45:1",
    ),
    E(
        "2026-11-04 08:00",
        "Serving many LoRA adapters from one base model",
        f"{HF}/multi-lora-serving?utm_source=mlops-weekly&utm_medium=email&utm_campaign=issue-45",
        """
        If you fine-tune per customer, read this: one base model in GPU memory, hundreds of
        low-rank adapters swapped in per request, and an overhead in the single-digit percent.
        The Hugging Face post explains the batching trick that makes it work.
        """,
        author="Nora Feldstein",
        tags=("lora", "serving"),
        guid="mlops-weekly:2026-45:2",
    ),
    E(
        "2026-11-06 08:00",
        "Model cards people actually read",
        f"{MW}/2026/11/model-cards-people-read/",
        """
        Most model cards are written once and never opened. A healthcare ML team shares the
        one-page template that changed that: intended use in one sentence, a table of known
        failure cases with examples, the evaluation slice on which the model is worst, and an
        owner with a pager. Cards live next to the code and are checked in CI, so they cannot
        drift from the registered model.
        """,
        author="Nora Feldstein",
        tags=("governance", "documentation"),
        guid="mlops-weekly:2026-45:3",
    ),
    E(
        "2026-11-09 08:00",
        "Dashboard tip: the arrow keys step through drift windows",
        f"{MW}/2026/11/dashboard-arrow-keys/",
        """
        A small thing that made our monitoring reviews faster: in most dashboard tools, clicking a
        chart and pressing the left and right arrow keys moves the time window by one step. Pair
        it with a fixed comparison window and you can walk back through a week of drift charts in
        seconds without touching the date picker. Readers sent more shortcuts, including the up
        arrow to widen the window and the down arrow to narrow it.
        """,
        author="Nora Feldstein",
        tags=("monitoring", "tips"),
        guid="mlops-weekly:2026-46:1",
    ),
    E(
        "2026-11-11 08:00",
        "Evaluating LLM apps: offline evals, online evals and the gap between them",
        f"{MW}/2026/11/llm-app-evals/",
        """
        Offline evaluation sets are stable and cheap; production traffic is neither. The teams we
        talked to run both: a few hundred curated cases with assertions that gate every prompt or
        model change, and sampled production conversations graded by a judge model with human
        spot checks. The surprise is how often the two disagree, usually because the offline set
        has not caught up with what users now ask.
        """,
        author="Nora Feldstein",
        tags=("evaluation", "llm"),
        guid="mlops-weekly:2026-46:2",
    ),
    E(
        "2026-11-13 08:00",
        "Polars’ GPU engine graduates from beta",
        "https://github.demo.example/pola-rs/polars/releases/tag/py-1.40.0"
        "?utm_source=mlops-weekly&utm_medium=email",
        """
        The DataFrame library’s GPU execution engine is no longer experimental as of its latest
        release. Lazy queries collected with the GPU engine run on NVIDIA hardware, with an
        automatic fallback to the CPU for unsupported operations. Early reports from readers:
        joins and group-bys on 100-million-row tables run 5–10 times faster, and the code change
        is a single argument to `collect`.
        """,
        author="Nora Feldstein",
        tags=("polars", "gpu", "dataframes"),
        guid="mlops-weekly:2026-46:3",
    ),
    E(
        "2026-11-16 08:00",
        "Cost per token: reading your inference bill",
        f"{MW}/2026/11/cost-per-token/",
        """
        A practical breakdown of what an LLM endpoint actually costs: GPU hours divided by tokens
        served, and why that number swings tenfold with batch size, prompt length and cache hit
        rate. It comes with a spreadsheet model and three changes that cut one reader’s cost per
        million tokens by 60%: enabling prefix caching, capping output length, and moving a
        summarisation workload to an int4 model.
        """,
        author="Nora Feldstein",
        tags=("inference", "cost"),
        guid="mlops-weekly:2026-47:1",
    ),
    E(
        "2026-11-17 08:00",
        "DuckDB 1.5 reads Iceberg tables directly",
        "https://duckdb.demo.example/2026/11/16/iceberg-reads/"
        "?utm_source=mlops-weekly&utm_medium=email&utm_campaign=issue-47",
        """
        For teams whose training data lives in a lakehouse: the embedded analytics database can
        now scan Iceberg tables, including snapshots and partition pruning, straight from a
        laptop or a training node. No cluster needed for exploratory work on a few hundred
        gigabytes.
        """,
        author="Nora Feldstein",
        tags=("duckdb", "lakehouse"),
        guid="mlops-weekly:2026-47:2",
    ),
    E(
        "2026-11-18 08:00",
        "Incident review: a silent schema change broke our feature pipeline",
        f"{MW}/2026/11/incident-silent-schema-change/",
        """
        An upstream team renamed a column from `amount_usd` to `amount` and changed its unit to
        cents. Nothing failed: the feature pipeline filled the missing column with nulls,
        imputation replaced them with the median, and a pricing model ran for nine days on a
        constant. The actions from the review are familiar but worth repeating: data contracts
        with schema checks at ingestion, alerts on null rates, and a canary that compares live
        features with the training distribution.
        """,
        author="Nora Feldstein",
        tags=("incident", "data-quality"),
        guid="mlops-weekly:2026-47:3",
    ),
    E(
        "2026-11-19 08:00",
        "On-call for ML: runbooks for model regressions",
        f"{MW}/2026/11/runbooks-model-regressions/",
        """
        When a model’s metrics drop, the first question is whether the model, the data or the
        world changed. Here is a runbook skeleton that answers it in order: check upstream data
        freshness and schema, compare feature distributions with training, check recent
        deployments and rollbacks, and only then consider retraining. Every step names the
        dashboard to open and the query to run.
        """,
        author="Nora Feldstein",
        tags=("on-call", "monitoring"),
        guid="mlops-weekly:2026-47:4",
    ),
    E(
        "2026-11-20 08:00",
        "GPU utilisation below 40%? Start with the input pipeline",
        f"{MW}/2026/11/gpu-utilisation-input-pipeline/",
        """
        Before buying more GPUs, look at what they are waiting for. Readers sent us profiles of
        jobs stalled on JPEG decoding, on small-file reads from network storage, and on a
        tokenizer running in the main process. Fixes ranged from sharded, pre-tokenised datasets
        to more data-loader workers. A PyTorch profiler trace is the single most useful artefact
        to attach to a performance question.
        """,
        author="Nora Feldstein",
        tags=("performance", "training"),
        guid="mlops-weekly:2026-47:5",
    ),
    E(
        "2026-11-21 08:00",
        "Weekly roundup: quantization, adapters and the price of long context",
        f"{MW}/2026/11/roundup-week-47/",
        """
        This week’s links: a side-by-side of GPTQ and AWQ at four bits, a rank-allocation method
        for LoRA adapters that spends parameters where they matter, a study showing that
        retrieval still beats stuffing the context window for most question answering, and a new
        vLLM release with disaggregated prefill and decode. Plus the Q&A from last week’s
        mailbag.
        """,
        author="Nora Feldstein",
        tags=("roundup",),
        guid="mlops-weekly:2026-47:6",
    ),
    E(
        None,
        "Reader mailbag: Q&A on evaluation budgets",
        f"{MW}/mailbag/evaluation-budgets/",
        """
        You asked how much to spend on evaluation relative to training. Our rough answer: enough
        that a regression is caught before users find it, which for most teams means a fixed
        evaluation suite run on every change and a weekly human review of fifty sampled outputs.
        Several readers budget 10–15% of their GPU hours for evaluation; one spends more on evals
        than on fine-tuning and does not regret it.
        """,
        author="Nora Feldstein",
        tags=("evaluation", "mailbag"),
        guid="mlops-weekly:mailbag:7",
    ),
)

SN = "https://serving-notes.demo.example/notes"

MODEL_SERVING_NOTES = (
    E(
        "2026-09-29 10:00",
        "Triton Inference Server: dynamic batching settings that matter",
        f"{SN}/triton-dynamic-batching/",
        """
        Triton Inference Server can combine individual requests into batches on the server,
        which is often the single biggest throughput win for models exported with a batch
        dimension. These notes cover the three settings worth tuning in `config.pbtxt`:
        `preferred_batch_size`, `max_queue_delay_microseconds` and the number of model instances
        per GPU. We show how to find good values with perf_analyzer, and why a queue delay of a
        few milliseconds usually costs less latency than it saves.
        """,
        author="Serving notes team",
        tags=("triton-inference-server", "batching"),
    ),
    E(
        "2026-10-03 11:00",
        "Why LLM servers run out of GPU memory, and how block tables fix it",
        f"{SN}/kv-cache-block-tables/",
        """
        Every request to a language model server carries a key-value cache: the attention keys
        and values of every token seen so far, in every layer. Early servers reserved one
        contiguous buffer per request, sized for the maximum sequence length. Because most
        responses are much shorter, most of that memory sat empty, and fragmentation kept the
        server from admitting new requests even when plenty of memory was free in total.

        The fix borrows from operating systems. The cache is cut into fixed-size blocks of, say,
        16 tokens, and each request keeps a block table that maps its logical token positions to
        physical blocks anywhere in GPU memory, the way a page table maps virtual addresses to
        physical frames. Blocks are allocated only when a sequence actually grows into them, so
        the waste is limited to the last, partly filled block. The attention kernel reads keys
        and values through the block table instead of assuming they are contiguous.

        Two bonuses follow. Requests that share a prompt prefix can point at the same physical
        blocks, with copy-on-write when one of them diverges, which makes parallel sampling and
        beam search cheap. And because memory is no longer reserved up front, the scheduler can
        run much larger batches: two to four times the throughput on the same GPU is typical.
        """,
        author="Serving notes team",
        tags=("llm-serving", "kv-cache", "memory"),
    ),
    E(
        "2026-10-06 10:00",
        "Faster cold starts: caching torch.compile artifacts across machines",
        f"{PT}/torch-compile-cache-sharing/?utm_source=serving-notes&utm_medium=rss"
        "&utm_campaign=reading-list",
        """
        Reading note: autoscaled model servers pay compilation time on every new replica. This
        post on the PyTorch blog explains which caches to persist and how to warm them in CI; we
        applied it to our embedding service and new pods became ready in 25 seconds instead of
        four minutes. Read the section on cache keys carefully: a CUDA driver upgrade silently
        invalidates everything.
        """,
        author="Serving notes team",
        tags=("torch.compile", "cold-start"),
        guid="serving-notes:reading-list:torch-compile-cache",
    ),
    E(
        "2026-10-10 10:00",
        "Continuous batching versus static batching, with numbers",
        f"{SN}/continuous-batching-numbers/",
        """
        Static batching waits for a batch to fill, runs it to completion and only then starts the
        next one, so short requests wait for the longest request in their batch. Continuous
        batching schedules at the granularity of one decoding step: finished sequences leave and
        queued ones join between steps. On a chat workload with a long-tailed distribution of
        output lengths, continuous batching gave 3.7 times the throughput and cut median latency
        by 60% on the same GPU.
        """,
        author="Serving notes team",
        tags=("llm-serving", "batching"),
    ),
    E(
        "2026-10-14 10:00",
        "ONNX Runtime execution providers: CPU, CUDA and TensorRT compared",
        f"{SN}/onnx-runtime-execution-providers/",
        """
        ONNX Runtime delegates subgraphs of an ONNX model to execution providers. We export a
        BERT-style classifier and compare the default CPU provider, the CUDA provider and the
        TensorRT provider on latency, throughput, start-up time and numerical drift. TensorRT was
        fastest at steady state but took 90 seconds to build its engine on first load: cache the
        engine, or your autoscaler will suffer. The notes include the session options we now set
        by default.
        """,
        author="Serving notes team",
        tags=("onnx", "onnxruntime", "tensorrt"),
    ),
    E(
        "2026-10-19 10:00",
        "KServe InferenceService: canary rollouts for model versions",
        f"{SN}/kserve-canary-rollouts/",
        """
        KServe lets you roll out a new model version gradually by setting `canaryTrafficPercent`
        on an InferenceService. These notes show a rollout that sends 10% of traffic to the new
        revision, watches the error rate and a business metric in Prometheus, and promotes or
        rolls back automatically with a small controller. Also covered: why scale-to-zero and
        GPU models rarely mix well, and how to keep one warm replica per revision.
        """,
        author="Serving notes team",
        tags=("kserve", "kubernetes", "rollouts"),
    ),
    E(
        "2026-10-24 10:00",
        "Choosing a quantization format for serving: int8, FP8, GPTQ and AWQ",
        f"{SN}/quantization-formats-for-serving/",
        """
        A decision table for the formats you will meet when serving open models. FP8 on recent
        GPUs is the easy default for weights and activations, with accuracy close to bf16. Int8
        weights and activations (W8A8) suit older GPUs and compute-bound batch workloads.
        Four-bit weight-only formats such as GPTQ and AWQ halve memory again and speed up
        small-batch decoding, at some cost in quality that you must measure on your own
        evaluation set. Always benchmark with your server’s kernels: a format without a fast
        kernel can be slower than bf16.
        """,
        author="Serving notes team",
        tags=("quantization", "llm-serving"),
    ),
    E(
        "2026-10-28 10:00",
        "Autoscaling GPU inference on queue depth, not CPU",
        f"{SN}/autoscaling-on-queue-depth/",
        """
        CPU utilisation tells you nothing about a GPU-bound model server, and GPU utilisation
        saturates long before latency suffers. Scale on what users feel: the number of requests
        waiting, or how long the oldest request has waited. We show a KEDA scaler reading a
        queue-depth metric exported by the server, with separate thresholds for scaling up
        quickly and scaling down slowly, and a minimum replica count sized for the compile and
        load time of a new pod.
        """,
        author="Serving notes team",
        tags=("kubernetes", "autoscaling"),
    ),
    E(
        "2026-11-02 10:00",
        "Ray Serve deployment graphs for multi-model pipelines",
        f"{SN}/ray-serve-multi-model/",
        """
        Ray Serve composes several models into one application: a retriever, a reranker and a
        generator, each a deployment with its own replica count and resource requirements, wired
        together in Python. These notes show how to give the generator fractional GPUs during
        low traffic, batch requests inside the reranker with the `@serve.batch` decorator, and
        autoscale each stage independently on the same Ray cluster.
        """,
        author="Serving notes team",
        tags=("ray", "ray-serve", "pipelines"),
    ),
    E(
        "2026-11-05 10:00",
        "Triton Inference Server ensembles: pre- and post-processing on the server",
        f"{SN}/triton-ensembles/",
        """
        Tokenisation in the client, inference on the server and detokenisation back in the
        client means three hops and duplicated code in every client. Triton Inference Server
        ensembles chain a Python-backend tokenizer, the model and a post-processing step into a
        single model that clients call once. We cover the ensemble configuration, passing tensors
        between steps without copies, and when the Python backend becomes the bottleneck.
        """,
        author="Serving notes team",
        tags=("triton-inference-server", "pipelines"),
    ),
    E(
        "2026-11-09 10:00",
        "Structured outputs: constrained decoding without killing throughput",
        f"{SN}/structured-outputs-throughput/",
        """
        Forcing a model to produce valid JSON by masking invalid tokens is reliable, but naive
        implementations compute the masks on the CPU at every step and stall the GPU. Current
        servers precompile the schema into an automaton, cache masks and overlap their
        computation with the forward pass. We measured under 5% overhead at batch size 64 with a
        compiled schema, against 40% with per-step regex matching. Tip: put free-text fields
        before constrained ones so the model can reason first.
        """,
        author="Serving notes team",
        tags=("llm-serving", "structured-outputs"),
    ),
    E(
        "2026-11-12 10:00",
        "Prefix caching: when it helps and when it hurts",
        f"{SN}/prefix-caching/",
        """
        If many requests start with the same system prompt or document, the server can reuse the
        key-value cache computed for that prefix instead of recomputing it. Hit rates above 50%
        are common for chat with long system prompts and for retrieval-augmented generation over
        a small corpus. It does not help when prompts are unique, and aggressive retention can
        crowd out running requests. We show how to read the hit-rate metric and size the cache.
        """,
        author="Serving notes team",
        tags=("llm-serving", "kv-cache"),
    ),
    E(
        "2026-11-16 10:00",
        "Health checks and readiness for model servers",
        f"{SN}/health-checks-readiness/",
        """
        A model server that accepts connections is not necessarily ready: we have seen pods
        receive traffic while still loading weights, compiling or warming caches. Separate
        liveness (the process is not stuck) from readiness (a real inference on a canned input
        succeeds within budget), and make the readiness check exercise the GPU path. The notes
        include probe timings for servers that take minutes to load large models.
        """,
        author="Serving notes team",
        tags=("kubernetes", "reliability"),
    ),
    E(
        "2026-11-17 10:00",
        "Streaming tokens over SSE: backpressure and client disconnects",
        f"{SN}/sse-streaming-backpressure/",
        """
        Server-sent events are the usual way to stream tokens to clients, and two details are
        easy to get wrong. When a client reads slowly, buffers grow without limit unless the
        server applies backpressure; when a client disconnects, the server should cancel
        generation to free its batch slot and cache. We show how to detect disconnects in an
        async handler and propagate cancellation to the engine, which reclaimed 12% of capacity
        on one chat service.
        """,
        author="Serving notes team",
        tags=("llm-serving", "streaming"),
    ),
    E(
        "2026-11-18 10:00",
        "Speculative decoding in production: acceptance rates and costs",
        f"{SN}/speculative-decoding-production/",
        """
        Speculative decoding shines in benchmarks at batch size one. In production, with dozens
        of concurrent requests, the verification work competes with other sequences for the GPU
        and the speed-up shrinks. We measured acceptance rates on real traffic and found the
        break-even batch size for a 1B draft with an 8B target to be around 24. Our rule: enable
        it for latency-sensitive, low-concurrency endpoints, and switch it off dynamically when
        the batch grows.
        """,
        author="Serving notes team",
        tags=("llm-serving", "speculative-decoding"),
    ),
    E(
        "2026-11-20 10:00",
        "Serving embeddings: batching short texts efficiently",
        f"{SN}/serving-embeddings/",
        """
        Embedding requests are tiny and numerous, and a server that processes them one at a time
        wastes the GPU. Group requests by length before padding, cap each batch by total tokens
        rather than by count, and return normalised vectors so clients can use the inner product
        directly. With those three changes, an all-MiniLM-L6-v2 service went from 900 to 14,000
        sentences per second on one mid-range GPU. For CPU deployments, an ONNX export with int8
        quantization is the better starting point.
        """,
        author="Serving notes team",
        tags=("embeddings", "batching"),
    ),
    E(
        None,
        "Glossary: TTFT, TPOT, goodput and other serving metrics",
        f"{SN}/glossary-serving-metrics/",
        """
        Time to first token (TTFT) measures how long a user waits before anything appears, and is
        dominated by queueing and prefill. Time per output token (TPOT), also called inter-token
        latency, governs how fast text streams once it starts. Throughput counts tokens per
        second across all requests; goodput counts only the requests that met their latency
        targets, which is the number to optimise when you have service-level objectives.
        End-to-end latency is TTFT plus TPOT times the number of output tokens, give or take
        network overhead.
        """,
        author="Serving notes team",
        tags=("glossary", "metrics"),
    ),
    E(
        None,
        "Reference: sizing GPU memory for a model server [draft]",
        f"{SN}/sizing-gpu-memory/",
        """
        A rule of thumb for planning. Weights take parameters times bytes per parameter (2 for
        bf16, about 0.5 for int4 plus scales). Each token in the key-value cache costs 2 × layers
        × KV heads × head dimension × bytes per value. Add 10–20% for activations, the CUDA
        context and allocator fragmentation. Whatever memory is left, divided by the per-token
        cache cost, is how many tokens of context the server can hold across all running
        requests. This page is a draft: figures for mixture-of-experts models are still missing.
        """,
        author="Serving notes team",
        tags=("reference", "memory"),
    ),
)

DI = "https://data-infra.demo.example/digest"

DATA_INFRA_DIGEST = (
    E(
        "2026-09-28 09:00",
        "Apache Arrow 24.0: what changed for Python users",
        f"{DI}/2026/09/apache-arrow-24/",
        """
        The new Apache Arrow release makes PyArrow read Parquet string columns as string views by
        default, speeds up casts between timestamp units, and extends the C Data Interface so
        other libraries can exchange tables without importing PyArrow at all. For ML pipelines
        the notable change is zero-copy conversion of fixed-size list columns to NumPy arrays and
        PyTorch tensors, which makes storing embeddings in Arrow tables much less awkward.
        """,
        author="Oskar Brandt",
        tags=("arrow", "python"),
    ),
    E(
        "2026-10-01 09:00",
        "Zero-copy handoff between Polars, DuckDB and PyArrow",
        f"{DI}/2026/10/zero-copy-polars-duckdb-pyarrow/",
        """
        Because Polars, DuckDB and PyArrow all speak the Arrow columnar format, a table can move
        between them without being serialised. We demonstrate a pipeline that filters events in
        DuckDB SQL, engineers features in Polars and writes Parquet with PyArrow, and check with
        a memory profiler that no column is copied on the way. The exception is string columns,
        which may be converted between layouts; we show how to avoid that.
        """,
        author="Maja Kowalczyk",
        tags=("arrow", "polars", "duckdb"),
    ),
    E(
        "2026-10-05 09:00",
        "Naming things: our clusters are called Triton, Nereus and Proteus",
        f"{DI}/2026/10/naming-clusters-after-sea-gods/",
        """
        A lighter piece this week, on the oldest problem in infrastructure. One team names its
        clusters after minor sea gods. Triton, the son of Poseidon who calms the waves by blowing
        on a conch shell, gets the production cluster; Nereus, the old man of the sea, gets the
        archive; and Proteus, who changes shape at will, is of course the staging environment.
        Their rules for names: short, pronounceable over a bad phone line, and never reused after
        a decommissioning.
        """,
        author="Oskar Brandt",
        tags=("culture",),
    ),
    E(
        "2026-10-08 09:00",
        "Vector databases compared for ten million embeddings",
        f"{DI}/2026/10/vector-databases-ten-million/",
        """
        A reader benchmark of pgvector, Qdrant, Milvus and a plain FAISS index behind a small API,
        on ten million 768-dimensional embeddings. At 95% recall all four answered in under 20 ms
        at the median; the differences were in metadata filtering, memory use and operations.
        pgvector was the easiest to run next to existing data, Qdrant had the best filtered
        search, and FAISS was the fastest but left updates, persistence and replication to you.
        """,
        author="Maja Kowalczyk",
        tags=("vector-database", "embeddings"),
    ),
    E(
        "2026-10-13 09:00",
        "Lakehouse table formats: Iceberg and Delta for ML training sets",
        f"{DI}/2026/10/iceberg-delta-training-sets/",
        """
        Table formats bring snapshots, schema evolution and time travel to files in object
        storage, which is exactly what reproducible training sets need: train on snapshot 8412
        and you can read the same rows a year later. We compare Iceberg and Delta on the features
        ML teams use most: time travel by timestamp, cheap appends of newly labelled data, and
        reading from Python without a JVM.
        """,
        author="Oskar Brandt",
        tags=("lakehouse", "iceberg", "delta"),
    ),
    E(
        "2026-10-16 09:00",
        "Feature store freshness: streaming versus batch materialisation",
        f"{DI}/2026/10/feature-freshness/",
        """
        How fresh does a feature need to be? A fraud feature such as ‘transactions in the last
        five minutes’ is useless an hour late, while ‘average basket size last quarter’ barely
        changes. We describe a tiered approach: streaming materialisation into the online store
        for the few features that need it, hourly or daily batch jobs for everything else, and a
        freshness target per feature that monitoring actually checks.
        """,
        author="Maja Kowalczyk",
        tags=("feature-store", "streaming"),
    ),
    E(
        "2026-10-20 09:00",
        "Data contracts between producers and ML consumers",
        f"{DI}/2026/10/data-contracts-ml/",
        """
        Machine-learning teams consume data they do not own, and upstream changes break models
        quietly. A data contract makes the dependency explicit: schema, semantics, freshness and
        an owner, versioned alongside the producer’s code and checked in its CI. We look at what
        a minimal contract contains and how two companies introduced contracts without a
        six-month programme.
        """,
        author="Oskar Brandt",
        tags=("data-quality", "data-contracts"),
    ),
    E(
        "2026-10-23 09:00",
        "Datacenter walk-through checklist: bring a torch and a label maker",
        f"{DI}/2026/10/datacenter-walkthrough-checklist/",
        """
        Some infrastructure problems can only be solved in person. Our checklist for a visit to
        the racks: a torch, because the aisle lights switch off when you stand still; a label
        maker, for the unlabelled cables you will inevitably find; ear protection; a laptop with
        a serial console cable; and photos from the last visit to compare against. Photograph
        every rack, front and back, before you touch anything.
        """,
        author="Oskar Brandt",
        tags=("operations", "hardware"),
    ),
    E(
        "2026-10-27 09:00",
        "DuckDB as the local engine for feature engineering",
        f"{DI}/2026/10/duckdb-feature-engineering/",
        """
        DuckDB runs analytical SQL in-process over Parquet, CSV and Arrow data, which makes it a
        good fit for feature engineering on a single large machine. We port a Spark feature job
        for a churn model to DuckDB: 180 GB of events, window functions over customer histories,
        and output to Parquet. It ran in 11 minutes on a 64-core machine, against 25 minutes on a
        20-node cluster, with a fraction of the operational overhead.
        """,
        author="Maja Kowalczyk",
        tags=("duckdb", "feature-engineering"),
    ),
    E(
        "2026-10-30 09:00",
        "Ray Data and Arrow: streaming batches into GPU training",
        f"{DI}/2026/10/ray-data-arrow-streaming/",
        """
        Ray Data represents blocks of data as Arrow tables and streams them between CPU
        preprocessing and GPU training workers, so datasets larger than cluster memory can feed a
        training job without being staged on local disks. We show the pipeline for an image
        model: reading Parquet from object storage, decoding on CPU nodes, and iterating over
        batches with Ray Train’s data iterators. GPU utilisation rose from 55% to 92% compared
        with a naive file-per-worker loader.
        """,
        author="Maja Kowalczyk",
        tags=("ray", "arrow", "data-loading"),
    ),
    E(
        "2026-11-03 09:00",
        "Lineage tracking for training data with OpenLineage",
        f"{DI}/2026/11/openlineage-training-data/",
        """
        When a model misbehaves, the first question is often which data it was trained on and
        where that data came from. OpenLineage records jobs, runs and datasets as they execute,
        across Spark, Airflow and dbt. We show how to emit lineage events from a Python training
        script, so that the model registry entry links back through feature tables to raw
        sources.
        """,
        author="Oskar Brandt",
        tags=("lineage", "governance"),
    ),
    E(
        "2026-11-06 09:00",
        "Snapshotting training sets with lakeFS",
        f"{DI}/2026/11/lakefs-training-snapshots/",
        """
        lakeFS adds git-like branches and commits to object storage. We use it to freeze a
        training set: branch from main, run the preprocessing job, commit, and record the commit
        ID in the model’s metadata. Reproducing the model months later means checking out that
        commit. We also cover garbage collection, so that old snapshots do not quietly double the
        storage bill.
        """,
        author="Maja Kowalczyk",
        tags=("data-versioning", "lakefs"),
    ),
    E(
        "2026-11-10 09:00",
        "Polars 1.40 ships its GPU engine as stable",
        "https://pola.demo.example/posts/polars-1-40-gpu-engine-stable/",
        """
        Polars has promoted its GPU execution engine out of beta. Queries written with the lazy
        API can be collected on an NVIDIA GPU, and operations the GPU engine does not support
        fall back to the CPU engine automatically. The release notes report speed-ups of five to
        ten times for joins and aggregations on large tables; we will publish our own benchmark
        next month.
        """,
        author="Oskar Brandt",
        tags=("polars", "gpu"),
    ),
    E(
        "2026-11-13 09:00",
        "Keyboard-first data catalogues: arrow-key navigation and other UX wins",
        f"{DI}/2026/11/keyboard-first-data-catalogues/",
        """
        Search is the front door of a data catalogue, and most catalogues make you reach for the
        mouse. We reviewed five catalogue interfaces for keyboard support: moving through results
        with the up and down arrow keys, opening a table with Enter, and copying its fully
        qualified name with a single shortcut. The two tools with complete keyboard navigation
        also had the highest weekly active use in our reader survey, which may not be a
        coincidence.
        """,
        author="Maja Kowalczyk",
        tags=("data-catalogue", "ux"),
    ),
    E(
        "2026-11-16 09:00",
        "DuckDB 1.5 reads Iceberg tables directly",
        "https://duckdb.demo.example/2026/11/16/iceberg-reads/",
        """
        DuckDB’s new release reads Iceberg tables natively, with snapshot selection, partition
        pruning and support for the REST catalogue. For ML teams this means pulling a consistent
        snapshot of a lakehouse table into a notebook or onto a training node without a Spark
        cluster. Writing to Iceberg is not supported yet.
        """,
        author="Oskar Brandt",
        tags=("duckdb", "iceberg", "lakehouse"),
    ),
    E(
        "2026-11-17 09:00",
        "Parquet page indexes and why your scans got faster",
        f"{DI}/2026/11/parquet-page-indexes/",
        """
        Parquet files can store minimum and maximum values per page, not just per row group.
        Readers that use these page indexes skip far more data for selective filters. We explain
        how to write files with page indexes from PyArrow and Spark, which query engines read
        them, and show a filter on a sorted timestamp column that scanned 2% of the data instead
        of 30%.
        """,
        author="Maja Kowalczyk",
        tags=("parquet", "performance"),
    ),
    E(
        "2026-11-18 09:00",
        "Deduplicating web-scale text corpora with MinHash",
        f"{DI}/2026/11/minhash-deduplication/",
        """
        Duplicate documents in pretraining data waste compute and encourage memorisation.
        MinHash with locality-sensitive hashing finds near-duplicates without comparing every
        pair: each document becomes a short signature, and documents whose signatures collide in
        enough bands become candidates. We show parameter choices for a corpus of five billion
        documents, how to run the banding step on a cluster, and how much data was removed at
        different similarity thresholds.
        """,
        author="Oskar Brandt",
        tags=("deduplication", "pretraining-data"),
    ),
    E(
        "2026-11-19 09:00",
        "Embedding pipelines: recompute only what changed",
        f"{DI}/2026/11/incremental-embedding-pipelines/",
        """
        Re-embedding an entire corpus whenever a document changes is wasteful. Store a content
        hash next to each vector, compare hashes on every run, and embed only new or changed
        documents; when the embedding model changes, version the index rather than overwriting
        it. We describe an incremental pipeline over a vector store that cut a nightly job from
        three hours to six minutes.
        """,
        author="Maja Kowalczyk",
        tags=("embeddings", "pipelines"),
    ),
    E(
        "2026-11-20 09:00",
        "Streaming ingestion with Kafka and Arrow Flight",
        f"{DI}/2026/11/kafka-arrow-flight/",
        """
        Arrow Flight moves Arrow record batches over gRPC with little serialisation overhead. We
        connect a Kafka consumer that accumulates events into record batches and serves them
        over Flight to feature computation jobs, replacing a JSON-over-HTTP hop. Throughput
        improved eightfold and CPU use on the consumers dropped by more than half.
        """,
        author="Oskar Brandt",
        tags=("arrow", "streaming", "kafka"),
    ),
    E(
        "2026-11-21 09:00",
        "Space-efficient embedding storage: product quantization versus float16",
        f"{DI}/2026/11/embedding-storage-pq-float16/",
        """
        Storing a billion 768-dimensional float32 embeddings takes about 3 TB. Halving the
        precision to float16 saves half of that with almost no effect on retrieval quality.
        Product quantization goes much further, compressing each vector to 64 or 96 bytes, but
        costs several points of recall unless results are re-ranked with the full vectors. We
        measure the trade-off on three retrieval tasks and suggest a layout that keeps the
        compressed codes in memory and the full vectors on disk.
        """,
        author="Maja Kowalczyk",
        tags=("embeddings", "vector-database", "storage"),
    ),
)

# --- the feeds ------------------------------------------------------------------------------

FEEDS = (
    Feed(
        "pytorch-blog.xml",
        "PyTorch blog (demo)",
        f"{PT}/",
        "Invented posts in the style of a deep-learning framework blog, for radar's demo.",
        "-07:00",
        PYTORCH_BLOG,
        functools.partial(write_rss, style="blog"),
        ascii_only=True,
    ),
    Feed(
        "huggingface-blog.xml",
        "Hugging Face blog (demo)",
        f"{HF}/",
        "Invented posts in the style of a model-hub blog, for radar's demo.",
        "+00:00",
        HUGGINGFACE_BLOG,
        write_atom,
    ),
    Feed(
        "vllm-releases.xml",
        "Release notes from vllm (demo)",
        VLLM,
        "",
        "+00:00",
        VLLM_RELEASES,
        functools.partial(write_github_releases, repository_id=700000101),
    ),
    Feed(
        "transformers-releases.xml",
        "Release notes from transformers (demo)",
        TF,
        "",
        "+00:00",
        TRANSFORMERS_RELEASES,
        functools.partial(write_github_releases, repository_id=700000102),
    ),
    Feed(
        "pypi-ray.xml",
        "PyPI recent updates for ray (demo)",
        f"{PYPI_RAY}/",
        "Recent updates to the demo package index for ray",
        "+00:00",
        PYPI_RAY_RELEASES,
        functools.partial(write_rss, style="pypi", gmt=True),
    ),
    Feed(
        "arxiv-cs-lg.xml",
        "cs.LG updates on arXiv (demo)",
        "https://arxiv.demo.example/list/cs.LG/recent",
        "Machine Learning (cs.LG) listings on an invented arXiv mirror, for radar's demo.",
        "-05:00",
        ARXIV_CS_LG,
        functools.partial(write_rdf, subject="Computer Science -- Machine Learning"),
    ),
    Feed(
        "arxiv-cs-cl.xml",
        "cs.CL updates on arXiv (demo)",
        "https://arxiv.demo.example/list/cs.CL/recent",
        "Computation and Language (cs.CL) listings on an invented arXiv mirror, for radar's demo.",
        "-05:00",
        ARXIV_CS_CL,
        functools.partial(write_rdf, subject="Computer Science -- Computation and Language"),
    ),
    Feed(
        "mlops-weekly.xml",
        "MLOps weekly (demo)",
        f"{MW}/",
        "An invented weekly newsletter about running ML in production, for radar's demo.",
        "+00:00",
        MLOPS_WEEKLY,
        functools.partial(write_rss, style="escaped"),
        ascii_only=True,
    ),
    Feed(
        "model-serving-notes.xml",
        "Model serving notes (demo)",
        f"{SN}/",
        "Invented working notes on serving models in production, for radar's demo.",
        "+01:00",
        MODEL_SERVING_NOTES,
        functools.partial(write_rss, style="escaped", ttl=120, language="en-gb"),
    ),
    Feed(
        "data-infra-digest.xml",
        "Data infra digest (demo)",
        f"{DI}/",
        "An invented digest of data-infrastructure news for ML teams, for radar's demo.",
        "+01:00",
        DATA_INFRA_DIGEST,
        write_atom,
    ),
)


# --- checks and output ----------------------------------------------------------------------


def check_dates(feed: Feed) -> None:
    previous: datetime | None = None
    for entry in feed.entries:
        when = moment(feed, entry)
        if when is None:
            continue
        utc_day = when.astimezone(UTC).date()
        assert FIRST_DAY <= utc_day <= LAST_DAY, (feed.filename, entry.title)
        assert utc_day == when.date(), f"{entry.title}: local and UTC days differ"
        assert previous is None or when >= previous, f"{entry.title}: out of order"
        previous = when


def check_document(feed: Feed, data: bytes) -> None:
    minidom.parseString(data)
    try:
        import feedparser  # type: ignore[import-untyped]
    except ImportError:
        return
    parsed = feedparser.parse(data)
    assert not parsed.bozo, (feed.filename, parsed.get("bozo_exception"))
    assert len(parsed.entries) == len(feed.entries), feed.filename


def render(feed: Feed) -> bytes:
    text = feed.render(feed)
    return text.encode("ascii", "xmlcharrefreplace") if feed.ascii_only else text.encode()


def main() -> None:
    FEEDS_DIR.mkdir(parents=True, exist_ok=True)
    weeks: Counter[str] = Counter()
    for feed in FEEDS:
        check_dates(feed)
        data = render(feed)
        check_document(feed, data)
        (FEEDS_DIR / feed.filename).write_bytes(data)
        undated = 0
        for entry in feed.entries:
            when = moment(feed, entry)
            if when is None:
                undated += 1
                continue
            year, week, _ = when.isocalendar()
            weeks[f"{year}-W{week:02d}"] += 1
        print(f"{feed.filename:28} {len(feed.entries):3} items ({undated} undated)")
    total = sum(len(feed.entries) for feed in FEEDS)
    print(f"{'total':28} {total:3} items")
    for week_label, count in sorted(weeks.items()):
        print(f"{week_label}  {count:3}")


if __name__ == "__main__":
    main()
