def test_packaging_is_the_one_pants_ships() -> None:
    import packaging

    assert packaging.__version__ == "21.3"
