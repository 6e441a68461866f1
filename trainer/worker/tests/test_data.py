import random

import pytest

from pioneer_worker.data import IGNORE_INDEX, DataError, Example, encode, label_set, length_bucketed_batches, read_jsonl
from pioneer_worker.model import load_tokenizer, resolve_base_model
from pioneer_worker.predict import decode_spans


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(resolve_base_model("minilm"))


def test_first_sub_word_carries_the_tag(tokenizer):
    ex = Example(id="1", tokens=["Playing", "tennisballs", "in", "Reykjavik"], tags=["O", "B-product", "O", "B-location"])
    labels = ["O", "B-location", "I-location", "B-product", "I-product"]
    enc = encode([ex], tokenizer, "token", {l: i for i, l in enumerate(labels)}, 64)[0]
    assert len(enc.target) == len(enc.input_ids) == len(enc.word_ids)
    firsts = [i for i, w in enumerate(enc.word_ids) if w is not None and (i == 0 or enc.word_ids[i - 1] != w)]
    assert [labels[enc.target[i]] for i in firsts] == ex.tags
    others = [t for i, t in enumerate(enc.target) if i not in firsts]
    assert others and all(t == IGNORE_INDEX for t in others)  # CLS, SEP and continuation pieces


def test_label_set_completes_bio_pairs():
    exs = [Example(id="1", tokens=["a", "b"], tags=["B-person", "O"]), Example(id="2", tokens=["c"], tags=["I-group"])]
    assert label_set(exs, "token") == ["O", "B-group", "I-group", "B-person", "I-person"]
    assert label_set([Example(id="1", text="x", label="b"), Example(id="2", text="y", label="a")], "classification") == ["a", "b"]


def test_buckets_cover_every_index_once():
    lengths = [random.Random(i).randint(3, 60) for i in range(1000)]
    for rng in (None, random.Random(1)):
        batches = list(length_bucketed_batches(lengths, 32, rng))
        assert sorted(i for b in batches for i in b) == list(range(1000))
        assert all(len(b) <= 32 for b in batches)
    sorted_batches = list(length_bucketed_batches(lengths, 32, None))
    assert max(lengths[i] for i in sorted_batches[0]) <= min(lengths[i] for i in sorted_batches[-1])


def test_read_jsonl_names_line_and_field(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text":"ok","label":"a"}\n\n{"label":"b"}\n')
    with pytest.raises(DataError) as err:
        read_jsonl(str(path), "classification")
    assert (err.value.line, err.value.field) == (3, "text")
    path.write_text('{"tokens":["a","b"],"tags":["O"]}\n')
    with pytest.raises(DataError, match="1 tags for 2 tokens"):
        read_jsonl(str(path), "token")


def test_decode_spans_is_lenient_and_end_exclusive():
    tokens = ["New", "York", "is", "big", "Obama", "Biden", "x"]
    tags = ["B-loc", "I-loc", "O", "I-per", "B-per", "B-per", "I-org"]
    spans = decode_spans(tokens, tags)
    assert [(s["type"], s["start"], s["end"], s["text"]) for s in spans] == [
        ("loc", 0, 2, "New York"), ("per", 3, 4, "big"), ("per", 4, 5, "Obama"), ("per", 5, 6, "Biden"), ("org", 6, 7, "x")]
