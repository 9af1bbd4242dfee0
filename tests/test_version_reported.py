"""Version texts and version files that must be refused with a message that says what to write."""

from __future__ import annotations

import pytest

from pants_calver.version import Scheme, VersionError, VersionFile, check_display


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param(
            "V24.03.0", "`V24.03.0` is not in display form (a `v` prefix); write `24.03.0`", id="capital-v"
        ),
        pytest.param(
            "24.03.0beta1",
            "`24.03.0beta1` is not in display form (suffixes are spelled `aN`, `bN`, `rcN`, `.devN`); "
            "write `24.03.0b1`",
            id="spelled-out-beta",
        ),
        pytest.param(
            "23.09.06",
            "`23.09.06` is not in display form (the patch part has a zero too many); write `23.09.6`",
            id="padded-patch",
        ),
        pytest.param(
            "023.09.6",
            "`023.09.6` is not in display form (the major part has a zero too many); write `23.09.6`",
            id="padded-major",
        ),
        pytest.param(
            "23.9.6",
            "`23.9.6` is not in display form (the minor part is zero-padded); write `23.09.6`",
            id="unpadded-minor",
        ),
        pytest.param(
            "23.009.6",
            "`23.009.6` is not in display form (the minor part has a zero too many); write `23.09.6`",
            id="minor-padded-twice",
        ),
    ],
)
def test_display_form_messages(text: str, message: str) -> None:
    with pytest.raises(VersionError) as error:
        check_display(text, Scheme())
    assert error.value.message == message


@pytest.mark.parametrize(
    "data, message",
    [
        pytest.param(
            b"\xef\xbb\xbf23.09.6\n",
            "the file starts with a byte-order mark; save it as UTF-8 without one",
            id="bom",
        ),
        pytest.param(
            b"23.09.6\r23.09.7\r",
            "the file holds 2 lines; it must hold only the version, on one line",
            id="carriage-returns",
        ),
    ],
)
def test_version_file_messages(data: bytes, message: str) -> None:
    with pytest.raises(VersionError) as error:
        VersionFile.decode(data)
    assert error.value.message == message


def test_a_lone_carriage_return_ends_the_line() -> None:
    content = VersionFile.decode(b"23.09.6\r")
    assert (content.text, content.newline, content.encode()) == ("23.09.6", "\r", b"23.09.6\r")
