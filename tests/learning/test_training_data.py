"""Examples, intents and imported files admins add, and the Rasa training data exported from them."""

import pytest
import yaml

from learning.examples import ExampleIn, add_examples, admin_responses, create_intent, import_nlu_yaml
from learning.exceptions import InvalidTrainingData, UnknownIntent
from learning.export import write_export
from learning.models import TrainingExample
from learning.validate import check_yaml_syntax
from runtime.training import data_fingerprint


def test_examples_for_an_unknown_intent_are_refused(fresh_db):
    with pytest.raises(UnknownIntent):
        add_examples(db_session=fresh_db, intent="no_such_intent", examples=[ExampleIn("hi")], created_by="ana")


def test_examples_are_stored_once_with_who_added_them(fresh_db):
    example = ExampleIn("¿dónde está mi paquete?", language="es", text_en="where is my parcel?")
    add_examples(db_session=fresh_db, intent="order_status", examples=[example, example], created_by="ana")
    add_examples(db_session=fresh_db, intent="order_status", examples=[example], created_by="bo")
    rows = fresh_db.query(TrainingExample).all()
    assert [(r.text, r.language, r.text_en, r.created_by) for r in rows] == [
        ("¿dónde está mi paquete?", "es", "where is my parcel?", "ana")]


def test_examples_and_responses_in_unconfigured_languages_are_refused(fresh_db):
    with pytest.raises(InvalidTrainingData, match="language 'xx' is not configured"):
        add_examples(db_session=fresh_db, intent="greet", examples=[ExampleIn("hallo", "xx")], created_by="ana")
    with pytest.raises(InvalidTrainingData, match="language 'xx' is not configured"):
        create_intent(db_session=fresh_db, name="gift_wrapping", description="", created_by="ana",
                      responses={"en": "Yes.", "xx": "Ja."}, examples=[])


@pytest.mark.parametrize("name, responses, message", [
    ("Gift Wrapping", {"en": "Yes"}, "not a valid intent name"),
    ("order_status", {"en": "Yes"}, "already exists"),
    ("gift_wrapping", {"es": "Sí"}, "needs its response in English"),
])
def test_a_new_intent_needs_a_valid_new_name_and_an_english_response(fresh_db, name, responses, message):
    with pytest.raises(InvalidTrainingData, match=message):
        create_intent(db_session=fresh_db, name=name, description="", responses=responses, examples=[],
                      created_by="ana")


def test_a_new_intents_responses_reach_the_catalog_in_each_language(fresh_db):
    create_intent(db_session=fresh_db, name="gift_wrapping", description="", created_by="ana",
                  responses={"en": "We gift-wrap for 3 EUR.", "es": "Envolvemos por 3 EUR."},
                  examples=[ExampleIn("can you gift wrap it")])
    assert admin_responses(fresh_db) == {"en": {"utter_gift_wrapping": "We gift-wrap for 3 EUR."},
                                         "es": {"utter_gift_wrapping": "Envolvemos por 3 EUR."}}


@pytest.mark.parametrize("content, where", [
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n  - : [\n", "line 5"),
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n", "line 5"),
    ("nlu:\n- intent: nope\n  examples: |\n    - hi\n", "line 4: no intent 'nope'"),
    ("nlu:\n- intent: greet\n", "line 2: each entry needs"),
    ("rules: []\n", "top-level 'nlu:'"),
])
def test_a_bad_training_file_says_which_line(fresh_db, content, where):
    with pytest.raises(InvalidTrainingData, match=where):
        import_nlu_yaml(db_session=fresh_db, content=content, created_by="ana")


def test_a_file_with_one_bad_entry_stores_nothing(fresh_db):
    content = "nlu:\n- intent: greet\n  examples: |\n    - good day to you\n- intent: nope\n  examples: |\n    - x\n"
    with pytest.raises(InvalidTrainingData, match="line 7"):
        import_nlu_yaml(db_session=fresh_db, content=content, created_by="ana")
    assert fresh_db.query(TrainingExample).count() == 0


def test_a_rasa_nlu_file_is_imported_with_its_languages(fresh_db):
    content = ('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - good day to you\n'
               "- intent: order_status\n  metadata:\n    language: de\n  examples: |\n    - wo bleibt mein Paket\n")
    assert import_nlu_yaml(db_session=fresh_db, content=content, created_by="ana") == 2
    assert {(r.intent, r.language) for r in fresh_db.query(TrainingExample)} == {("greet", "en"),
                                                                                 ("order_status", "de")}


def test_without_admin_data_the_export_is_the_repository_data(fresh_db, tmp_path):
    export = write_export(db_session=fresh_db, out_root=tmp_path / "export")
    assert export.fingerprint == data_fingerprint() and export.admin_examples == 0


def test_the_export_adds_new_intents_with_response_and_rule(fresh_db, tmp_path):
    create_intent(db_session=fresh_db, name="gift_wrapping", description="", responses={"en": "Yes."},
                  created_by="ana", examples=[ExampleIn("envuélvalo para regalo", "es", "wrap it as a gift")])
    export = write_export(db_session=fresh_db, out_root=tmp_path / "export")
    nlu = yaml.safe_load((export.root / "bot/data/nlu/admin.yml").read_text())["nlu"]
    assert nlu == [{"intent": "gift_wrapping", "examples": "- envuélvalo para regalo\n- wrap it as a gift\n"}]
    domain = yaml.safe_load((export.root / "bot/domain/admin.yml").read_text())
    assert domain["intents"] == ["gift_wrapping"]
    assert domain["responses"]["utter_gift_wrapping"] == [{"custom": {"response": "utter_gift_wrapping"}}]
    rules = yaml.safe_load((export.root / "bot/data/rules/admin.yml").read_text())["rules"]
    assert rules[0]["steps"] == [{"intent": "gift_wrapping"}, {"action": "utter_gift_wrapping"}]
    assert export.fingerprint != data_fingerprint()
    check_yaml_syntax(export)


def test_a_broken_repository_file_is_named_with_its_line(fresh_db, tmp_path):
    export = write_export(db_session=fresh_db, out_root=tmp_path / "export")
    (export.root / "bot/data/nlu/orders.yml").write_text("nlu:\n- intent: x\n  examples: [\n")
    with pytest.raises(InvalidTrainingData, match=r"bot/data/nlu/orders.yml, line \d+"):
        check_yaml_syntax(export)
