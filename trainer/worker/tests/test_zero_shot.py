import pytest
import torch

from pioneer_worker.config import SpecError
from pioneer_worker.data import Example
from pioneer_worker.model import load_student, read_manifest
from pioneer_worker.predict import predict
from pioneer_worker.zero_shot import ZeroShotSpec, build_zero_shot, readable

CPU = torch.device("cpu")
TEXTS = ["what's the weather like in paris tomorrow", "play some jazz by miles davis", "is it going to rain tonight", "put on my workout playlist"]


def _predict(model_dir: str) -> list[dict]:
    student, tokenizer, manifest = load_student(model_dir, CPU)
    return predict(student, tokenizer, manifest, [Example(id=str(i), text=t) for i, t in enumerate(TEXTS)], device=CPU)


def test_a_zero_shot_model_loads_and_predicts_like_a_trained_one(tmp_path):
    spec = ZeroShotSpec.from_dict({"out_dir": str(tmp_path / "zs"), "labels": ["GetWeather", "PlayMusic"],
                                   "phrases": {"PlayMusic": ["play a song", "put on some music by an artist"]}})
    build_zero_shot(spec, CPU)
    manifest = read_manifest(str(tmp_path / "zs"))
    assert manifest["labels"] == ["GetWeather", "PlayMusic"]
    assert manifest["weights"] == "head" and manifest["normalize_features"] is True
    assert manifest["config"]["phrases"] == {"GetWeather": ["get weather"], "PlayMusic": ["play a song", "put on some music by an artist"]}
    preds = _predict(str(tmp_path / "zs"))
    assert [p["label"] for p in preds] == ["GetWeather", "PlayMusic", "GetWeather", "PlayMusic"]
    assert all(abs(sum(p["probs"].values()) - 1) < 1e-4 for p in preds)


def test_the_out_of_scope_row_wins_below_the_similarity_threshold(tmp_path):
    def labels_with(similarity: float) -> list[str]:
        out = tmp_path / f"zs-{similarity}"
        build_zero_shot(ZeroShotSpec.from_dict({"out_dir": str(out), "labels": ["GetWeather", "PlayMusic"], "oos_label": "oos", "oos_similarity": similarity}), CPU)
        return [p["label"] for p in _predict(str(out))]

    assert labels_with(1.01) == ["oos"] * len(TEXTS)  # no cosine reaches 1.01
    assert "oos" not in labels_with(-1.01)


def test_bad_specs_name_their_field():
    for raw, field in [({"out_dir": "x", "labels": []}, "labels"), ({"out_dir": "x", "labels": ["a", "a"]}, "labels"),
                       ({"out_dir": "x", "labels": ["a"], "phrases": {"b": ["x"]}}, "phrases"),
                       ({"out_dir": "x", "labels": ["a"], "oos_label": "a"}, "oos_label"), ({"labels": ["a"]}, "out_dir")]:
        with pytest.raises(SpecError) as err:
            ZeroShotSpec.from_dict(raw)
        assert err.value.field == field


def test_label_names_read_as_words():
    assert [readable(l) for l in ["card_arrival", "AddToPlaylist", "top-up", "oos"]] == ["card arrival", "add to playlist", "top up", "oos"]


def test_a_fine_tune_from_a_zero_shot_model_keeps_its_unit_features(tmp_path):
    from pioneer_worker.config import TrainConfig
    from pioneer_worker.train import train

    from .conftest import write_jsonl

    build_zero_shot(ZeroShotSpec.from_dict({"out_dir": str(tmp_path / "zs"), "labels": ["GetWeather", "PlayMusic"]}), CPU)
    data = write_jsonl(tmp_path / "seed.jsonl", [{"id": str(i), "text": t, "label": ["GetWeather", "PlayMusic"][i % 2]} for i, t in enumerate(TEXTS)])
    train(TrainConfig.from_dict({"kind": "classification", "train_path": str(data), "out_dir": str(tmp_path / "child"), "strategy": "head",
                                 "max_steps": 1, "learning_rate": 1e-12, "threads": 1, "init_from": str(tmp_path / "zs")}))
    assert read_manifest(str(tmp_path / "child"))["normalize_features"] is True
    before, after = _predict(str(tmp_path / "zs")), _predict(str(tmp_path / "child"))
    assert [p["label"] for p in after] == [p["label"] for p in before]
    assert all(abs(a["confidence"] - b["confidence"]) < 1e-3 for a, b in zip(after, before))


def test_a_zero_shot_tagger_marks_words_like_the_seed_entities_and_merges_adjacent_ones(tmp_path):
    seeds = [{"tokens": ["table", "for", "four", "at", "seven", "pm"], "tags": ["O", "O", "B-people", "O", "B-time", "I-time"]},
             {"tokens": ["we", "are", "six", "people"], "tags": ["O", "O", "B-people", "O"]}]
    out = str(tmp_path / "tagger")
    build_zero_shot(ZeroShotSpec.from_dict({"out_dir": out, "labels": ["people", "time"], "kind": "token", "examples": seeds,
                                            "entity_similarity": 0.5}), CPU)
    manifest = read_manifest(out)
    assert manifest["kind"] == "token" and manifest["labels"] == ["O", "B-people", "I-people", "B-time", "I-time"]
    assert manifest["merge_adjacent_entities"] is True and manifest["config"]["seed_words"] == {"people": 2, "time": 2}
    student, tokenizer, manifest = load_student(out, CPU)
    [pred] = predict(student, tokenizer, manifest, [Example(id="1", tokens=["a", "table", "for", "four", "at", "seven", "pm"])], device=CPU)
    assert pred["tags"][0] == "O" and pred["tags"][3] == "B-people"
    people, time = pred["spans"]
    assert (people["type"], people["text"]) == ("people", "four")
    assert time["type"] == "time" and time["text"].endswith("seven pm")  # one entity of adjacent words ("at" may join it)


def test_a_zero_shot_tagger_refuses_tags_of_unknown_types_and_an_out_of_scope_label():
    for raw, field in [({"out_dir": "x", "labels": ["time"], "kind": "token", "examples": [{"tokens": ["a"], "tags": ["B-date"]}]}, "examples[0].tags"),
                       ({"out_dir": "x", "labels": ["time"], "kind": "token", "examples": [{"tokens": ["a", "b"], "tags": ["O"]}]}, "examples[0]"),
                       ({"out_dir": "x", "labels": ["time"], "kind": "token", "oos_label": "oos"}, "oos_label"),
                       ({"out_dir": "x", "labels": ["time"], "kind": "spans"}, "kind")]:
        with pytest.raises(SpecError) as err:
            ZeroShotSpec.from_dict(raw)
        assert err.value.field == field


def test_merge_adjacent_turns_a_run_of_one_type_into_one_entity():
    from pioneer_worker.predict import merge_adjacent

    assert merge_adjacent(["B-time", "B-time", "O", "B-time", "B-people", "B-people"]) == ["B-time", "I-time", "O", "B-time", "B-people", "I-people"]
