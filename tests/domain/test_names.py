from chalicelib.domain.names import fold, list_sort_key


def test_fold_removes_accents_case_spaces_and_punctuation():
    assert fold("Lefèvre") == "LEFEVRE"
    assert fold("Le Gall") == fold("LEGALL") == "LEGALL"
    assert fold("D'Almeida") == "DALMEIDA"
    assert fold("Jean-Pierre") == "JEANPIERRE"
    assert fold("Schœlcher") == "SCHOELCHER"
    assert fold("Müller") == "MULLER"
    assert fold("Łukasz") == "LUKASZ"


def test_sort_keys_order_by_last_name_then_first_name():
    names = [("Dupontel", "Albert"), ("Dupont", "Zoé"), ("Dupont", "Émile"), ("Dubois", "Yann"), ("Élie", "Anne")]
    ordered = sorted(names, key=lambda n: list_sort_key(n[0], n[1], "P1"))
    assert ordered == [
        ("Dubois", "Yann"),
        ("Dupont", "Émile"),
        ("Dupont", "Zoé"),
        ("Dupontel", "Albert"),
        ("Élie", "Anne"),
    ]


def test_namesakes_get_distinct_keys():
    assert list_sort_key("Martin", "Camille", "P1") != list_sort_key("Martin", "Camille", "P2")


def test_a_typed_prefix_matches_the_key():
    assert list_sort_key("Le Gall", "Yann", "P9").startswith(fold("le g"))
    assert list_sort_key("Lefèvre", "Hugo", "P9").startswith(fold("Lé"))
