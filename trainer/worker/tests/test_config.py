import json

import pytest

from pioneer_worker.config import DEFAULT_EPOCHS, SpecError, TrainConfig


def base(tmp_path, **over):
    train = tmp_path / "t.jsonl"
    train.write_text('{"id":"1","text":"hi","label":"a"}\n')
    return {"kind": "classification", "train_path": str(train), "out_dir": str(tmp_path / "m"), **over}


@pytest.mark.parametrize(
    "override, field",
    [({"kind": "regression"}, "kind"), ({"strategy": "adapter"}, "strategy"), ({"epochs": 0}, "epochs"),
     ({"batch_size": 0}, "batch_size"), ({"learning_rate": -1.0}, "learning_rate"), ({"max_length": 4}, "max_length"),
     ({"class_weights": "inverse"}, "class_weights"), ({"label_smoothing": 1.0}, "label_smoothing"), ({"class_weights": {"a": -2}}, "class_weights"),
     ({"train_path": "/nonexistent.jsonl"}, "train_path"), ({"labels": ["a", "a"]}, "labels"), ({"bogus": 1}, "bogus")],
)
def test_invalid_fields_are_named(tmp_path, override, field):
    with pytest.raises(SpecError) as err:
        TrainConfig.from_dict(base(tmp_path, **override))
    assert err.value.field == field
    assert f'"{field}"' in str(err.value)


def test_missing_required_field(tmp_path):
    raw = base(tmp_path)
    del raw["out_dir"]
    with pytest.raises(SpecError, match='"out_dir"'):
        TrainConfig.from_dict(raw)


def test_defaults_depend_on_strategy_and_kind(tmp_path):
    head = TrainConfig.from_dict(base(tmp_path, strategy="head"))
    assert head.epochs == DEFAULT_EPOCHS["head"] and head.learning_rate == 5e-3 and head.max_length == 64
    full = TrainConfig.from_dict(base(tmp_path, strategy="full", epochs=2))
    assert full.epochs == 2 and full.learning_rate == 1e-4


def test_round_trips_through_a_file(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(base(tmp_path, seed=7)))
    assert TrainConfig.from_file(str(path)).seed == 7
