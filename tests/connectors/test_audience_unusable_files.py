"""Follower files that cannot give a share are refused with a reason, not read as one: a list
whose handle column names the scraped creator on every row (Apify's table view), and a file
whose only readable column is a name (a list of contacts read "0% fake [0, 9%]")."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.connectors.audience import read_profiles
from closeknit.errors import ValidationError


def test_a_handle_column_naming_one_account_on_every_row_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "apify.csv"
    f.write_text(
        "Account,Follower,Name,Private,Profile Pic\n"
        + "".join(f"lena.style,fan_{i},Fan {i},false,https://x/p.jpg\n" for i in range(40))
    )
    with pytest.raises(ValidationError, match="holds 1 distinct account on 40 rows") as e:
        read_profiles(f)
    assert "'lena.style'" in e.value.message and "follower" in e.value.message
    assert e.value.details["field"] == "account"
    # mapped, the followers are read
    pf = read_profiles(f, mapping={"Follower": "handle"})
    assert len(pf.rows) == 40 and pf.rows[3]["handle"] == "fan_3"
    # a few repeats in a real list are still counted once, not refused
    g = tmp_path / "list.csv"
    g.write_text("username\n" + "".join(f"u{i % 30}\n" for i in range(40)))
    assert len(read_profiles(g).rows) == 30


def test_a_file_with_only_names_is_refused_naming_what_it_lacks(tmp_path: Path) -> None:
    f = tmp_path / "contacts.csv"
    f.write_text("Name,Email,Phone\n" + "".join(f"Ann {i},a{i}@x.org,555{i}\n" for i in range(30)))
    with pytest.raises(ValidationError, match="only full_name can be read: too little") as e:
        read_profiles(f)
    assert "Columns found: name, email, phone" in e.value.message
    # one telling field is enough to be read (its accuracy is in the docs)
    g = tmp_path / "pics.csv"
    g.write_text("Name,Profile Pic\n" + "".join(f"Ann {i},https://x/{i}.jpg\n" for i in range(30)))
    assert len(read_profiles(g).rows) == 30
