//! Tests of the fast CSV reader against the csv crate reader (in a file of their own to keep
//! `csv_fast.rs` short).

use super::*;

/// The fast path alone, on bytes in memory (`block` 0) or read `block` bytes at a time.
fn fast_path(
    bytes: &[u8],
    num: &[&str],
    fac: &[&str],
    threads: usize,
    block: usize,
) -> Option<Frame> {
    let mut cursor = std::io::Cursor::new(bytes);
    let mut src = if block == 0 {
        Source::Slice(Some(bytes))
    } else {
        Source::Reader {
            reader: &mut cursor,
            buf: vec![0; block],
            start: 0,
            end: 0,
            eof: false,
        }
    };
    fast(&mut src, bytes.len() as u64, num, fac, threads).unwrap()
}

fn same(a: &Frame, b: &Frame, num: &[&str], fac: &[&str]) {
    assert_eq!(a.nrows(), b.nrows());
    assert_eq!(a.names(), b.names());
    for n in num {
        let (x, y) = (a.numeric(n).unwrap(), b.numeric(n).unwrap());
        assert!(
            x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()),
            "{n}"
        );
    }
    for c in fac {
        let (x, y) = (a.factor(c).unwrap(), b.factor(c).unwrap());
        assert_eq!((&x.codes, &x.levels), (&y.codes, &y.levels), "{c}");
    }
}

#[test]
fn cuts_at_line_ends() {
    let s = b"a,1\nb,2\nc,3\nd,4\n";
    let p = cut(s, 3);
    assert_eq!(p.concat(), s.to_vec());
    assert!(p.iter().all(|p| p.ends_with(b"\n")), "{p:?}");
    assert_eq!(cut(b"x", 4), vec![&b"x"[..]]);
    assert_eq!(cut(b"", 2), vec![&b""[..]]);
}

#[test]
fn eight_digits_at_once() {
    let digits = |s: &str| {
        // Inside a longer buffer, as in a chunk, and at its very end.
        let buf = format!("{s},123456789");
        let inside = Cell::new(buf.as_bytes(), 0, s.len()).digits();
        let end = Cell::new(s.as_bytes(), 0, s.len()).digits();
        assert_eq!(inside, end, "{s:?}");
        inside
    };
    for s in [
        "0", "7", "42", "2019", "59105", "12345678", "00000001", "99999999", " 12 ",
    ] {
        assert_eq!(digits(s), s.trim().parse::<u64>().ok(), "{s}");
    }
    for s in [
        "",
        "123456789",
        "1.5",
        "-1",
        "1e5",
        "12a4",
        "/",
        ":",
        "\u{0}",
    ] {
        assert_eq!(digits(s), None, "{s:?}");
    }
}

#[test]
fn zero_bytes_are_exact() {
    let w = u64::from_le_bytes(*b"a,,b\x00,\x80,");
    let m = zero_bytes(w ^ u64::from_le_bytes([b','; 8]));
    let hits: Vec<u32> = (0..8).filter(|k| m >> (8 * k + 7) & 1 == 1).collect();
    assert_eq!(hits, vec![1, 2, 5, 7]);
}

#[test]
fn small_ints_are_canonical_only() {
    let small = |s: &str| Cell::new(s.as_bytes(), 0, s.len()).small_int();
    assert_eq!(small("2019"), Some(2019));
    assert_eq!(small("0"), Some(0));
    assert_eq!(small("007"), None);
    assert_eq!(small("+7"), None);
    assert_eq!(small("16384"), None);
    assert_eq!(small(""), None);
}

/// The shapes of plain CSV met in practice are read by the fast path itself (not handed
/// to the csv crate), into the csv crate's frame, from memory or a block at a time (blocks
/// of one byte and up: a line longer than the buffer grows it), on one thread or several.
#[test]
fn plain_csv_is_read_here() {
    let base = "e,i,t,v\nKAZ,AFG,2021,474\nAFG, KAZ ,2022,NA\nABCDEFGHI,,2023,1.5\n";
    let shapes = [
        base.to_string(),
        base.replace('\n', "\r\n"),
        base.replace("\nAFG", "\n\n\r\nAFG"),
        format!("\u{feff}{base}"),
        format!("\n\n{base}"),
        base.trim_end().to_string(),
        // A last line without a line end whose last field is empty.
        format!("{base}ZZZ,AFG,2024,"),
        // The header alone.
        "e,i,t,v\n".to_string(),
    ];
    let (num, fac) = (["v"], ["e", "i", "t"]);
    for shape in &shapes {
        let slow = Frame::read_csv(shape.as_bytes(), &num, &fac).unwrap();
        for threads in [1, 2, 5] {
            for block in [0, 1, 2, 7, 16, 1 << 10] {
                let fast = fast_path(shape.as_bytes(), &num, &fac, threads, block)
                    .unwrap_or_else(|| panic!("{shape:?} left to the csv crate"));
                same(&fast, &slow, &num, &fac);
            }
        }
    }
}

/// Through the public reader on a seekable input: the same frame whatever the blocks,
/// and input the fast path refuses (a quote in the last block) still read, from the start.
#[test]
fn seekable_input_in_blocks() {
    let mut csv = String::from("e,i,t,v\n");
    for k in 0..300 {
        csv.push_str(&format!(
            "E{},I{},{},{}\n",
            k % 17,
            k % 5,
            2000 + k % 9,
            k * 37 % 101
        ));
    }
    let (num, fac) = (["v", "t"], ["e", "i", "t"]);
    let slow = Frame::read_csv(csv.as_bytes(), &num, &fac).unwrap();
    for block in [5, 64, 1000, 1 << 16] {
        for threads in [1, 3] {
            let r = std::io::Cursor::new(csv.as_bytes());
            let fast = read_seek_blocks(r, &num, &fac, threads, block).unwrap();
            same(&fast, &slow, &num, &fac);
        }
    }
    let quoted = format!("{csv}\"E1\",I1,2001,5\n");
    let slow = Frame::read_csv(quoted.as_bytes(), &num, &fac).unwrap();
    let r = std::io::Cursor::new(quoted.as_bytes());
    let fast = read_seek_blocks(r, &num, &fac, 2, 64).unwrap();
    same(&fast, &slow, &num, &fac);
}

proptest::proptest! {
    /// Random CSV of the shapes the fast path decides on (fields of digits, letters, spaces,
    /// missing values, long labels; `\n` or `\r\n`; empty lines), now and then with one
    /// flaw (a quote, a lone `\r`, a field too many or too few, a bad number), read in random
    /// blocks on one to four threads: the same frame, or the same error, as the csv crate
    /// reader.
    #[test]
    fn random_csv_in_random_blocks(
        rows in proptest::collection::vec(
            (
                proptest::prop_oneof![
                    "[0-9]{1,9}",
                    " ?-?[0-9]{1,3}\\.[0-9]{1,3} ?",
                    proptest::strategy::Just("NA".to_string()),
                    proptest::strategy::Just(String::new()),
                ],
                proptest::prop_oneof!["[0-9]{1,6}", "[A-Z]{1,3}", "[a-z ]{0,12}", "NA"],
                proptest::prop_oneof!["[0-9]{1,6}", "[A-Z]{1,3}", "[a-z ]{0,12}", "NA"],
            ),
            0..40,
        ),
        flaw in proptest::option::weighted(0.4, (0usize..40, 0usize..6)),
        crlf in proptest::bool::ANY,
        block in 1usize..80,
        threads in 1usize..5,
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut lines: Vec<String> =
            rows.iter().map(|(a, b, c)| format!("{a},{b},{c}")).collect();
        if let (Some((at, kind)), false) = (flaw, lines.is_empty()) {
            let line = &mut lines[at % rows.len()];
            match kind {
                0 => line.insert(0, '"'),
                1 => line.push('\r'),
                2 => line.push_str(",x"),
                3 => *line = line.split(',').take(2).collect::<Vec<_>>().join(","),
                4 => *line = format!("1.2.3{}", &line[line.find(',').unwrap_or(0)..]),
                _ => line.insert_str(0, end),
            }
        }
        let mut csv = format!("a,b,c{end}");
        for l in &lines {
            csv.push_str(l);
            csv.push_str(end);
        }
        let (num, fac) = (["a"], ["b", "c"]);
        let slow = Frame::read_csv(csv.as_bytes(), &num, &fac);
        let r = std::io::Cursor::new(csv.as_bytes());
        let fast = read_seek_blocks(r, &num, &fac, threads, block);
        match (&slow, &fast) {
            (Ok(a), Ok(b)) => same(b, a, &num, &fac),
            (Err(a), Err(b)) => proptest::prop_assert_eq!(a.to_string(), b.to_string()),
            _ => proptest::prop_assert!(false, "{:?} vs {:?}", slow.map(|f| f.nrows()), fast.map(|f| f.nrows())),
        }
    }
}

#[test]
fn falls_back_on_quotes_and_lone_cr() {
    let num = ["v"];
    for block in [0, 3] {
        let fast = |b: &[u8]| fast_path(b, &num, &["k"], 1, block);
        assert!(fast(b"k,v\n\"a\",1\n").is_none());
        assert!(fast(b"k,v\ra,1\n").is_none());
        assert!(fast(b"k,v\r\na,1\r\n").is_some());
        assert!(fast(b"k,v\na,x\n").is_none());
        assert!(fast(b"k,v\na,1,2\n").is_none());
        assert!(fast(b"k,v\na,1\nb\n").is_none());
    }
}
