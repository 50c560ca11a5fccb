//! Tokens of one OIF line as nom parsers over `&[u8]`: whitespace, keywords, numbers,
//! quoted `#NN`-escaped strings, timestamps and bare credentials.
//!
//! Every parser skips leading blanks itself, so grammar code reads as a plain token sequence.
//! Errors carry only the failing position and a static description of what was expected —
//! never bytes of the input — so they are safe to log even for a `LOGIN` line.

use nom::error::ErrorKind;
use nom::{IResult, Parser};

use crate::types::Timestamp;

/// A nom error: where parsing failed and what was expected there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PErr<'a> {
    /// The remaining input at the failure point (its length gives the position).
    pub(crate) rest: &'a [u8],
    /// What was expected.
    pub(crate) expected: &'static str,
}

impl<'a> nom::error::ParseError<&'a [u8]> for PErr<'a> {
    fn from_error_kind(rest: &'a [u8], _kind: ErrorKind) -> Self {
        PErr {
            rest,
            expected: "a valid token",
        }
    }

    fn append(_rest: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }

    /// Of two failed alternatives, report the one that got further.
    fn or(self, other: Self) -> Self {
        if other.rest.len() <= self.rest.len() {
            other
        } else {
            self
        }
    }
}

/// Result of a token parser.
pub(crate) type Res<'a, T> = IResult<&'a [u8], T, PErr<'a>>;

/// A failure at `rest` expecting `expected`.
pub(crate) fn fail<'a, T>(rest: &'a [u8], expected: &'static str) -> Res<'a, T> {
    Err(nom::Err::Error(PErr { rest, expected }))
}

/// Blank: space or tab.
#[inline]
pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Bytes that end a bare word.
#[inline]
fn is_word_end(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b',' | b'"' | b'\r' | b'\n')
}

/// Skips blanks (never fails).
#[inline]
pub(crate) fn ws(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|b| is_blank(**b)).count();
    &i[n..]
}

/// A bare word after optional blanks: a run of bytes up to a blank, comma, quote or line end.
#[inline]
pub(crate) fn word(i: &[u8]) -> Res<'_, &[u8]> {
    let i = ws(i);
    let n = i.iter().position(|b| is_word_end(*b)).unwrap_or(i.len());
    if n == 0 {
        return fail(i, "a word");
    }
    Ok((&i[n..], &i[..n]))
}

/// The keyword `kw` (ASCII case-insensitive), as a whole word.
pub(crate) fn keyword<'a>(kw: &'static str) -> impl Fn(&'a [u8]) -> Res<'a, ()> {
    move |i: &'a [u8]| match word(i) {
        Ok((rest, w)) if w.eq_ignore_ascii_case(kw.as_bytes()) => Ok((rest, ())),
        _ => fail(ws(i), kw),
    }
}

/// One of the keywords in `table` (case-insensitive), mapped to its value.
pub(crate) fn one_of<'a, T: Copy>(
    table: &'static [(&'static str, T)],
    expected: &'static str,
) -> impl Fn(&'a [u8]) -> Res<'a, T> {
    move |i: &'a [u8]| {
        if let Ok((rest, w)) = word(i) {
            for (kw, v) in table {
                if w.eq_ignore_ascii_case(kw.as_bytes()) {
                    return Ok((rest, *v));
                }
            }
        }
        fail(ws(i), expected)
    }
}

/// A decimal number that fits in `u32`.
#[inline]
pub(crate) fn number(i: &[u8]) -> Res<'_, u32> {
    let i = ws(i);
    let n = i.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || i.get(n).is_some_and(|b| !is_word_end(*b)) {
        return fail(i, "a decimal number");
    }
    let mut v: u32 = 0;
    for &d in &i[..n] {
        v = match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(d - b'0')))
        {
            Some(v) => v,
            None => return fail(i, "a number below 2^32"),
        };
    }
    Ok((&i[n..], v))
}

/// A hexadecimal number of 1–8 digits (the `W34` key).
pub(crate) fn hex_u32(i: &[u8]) -> Res<'_, u32> {
    let i = ws(i);
    let n = i.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if n == 0 || n > 8 || i.get(n).is_some_and(|b| !is_word_end(*b)) {
        return fail(i, "1 to 8 hexadecimal digits");
    }
    let v = i[..n].iter().fold(0u32, |acc, b| {
        (acc << 4) | u32::from(hex_val(*b).unwrap_or(0))
    });
    Ok((&i[n..], v))
}

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A double-quoted string with `#NN` escapes decoded; the result must be UTF-8.
///
/// A `#` not followed by two hex digits is kept literally (lenient: some servers may not
/// escape it); the encoder always escapes `#`, so this never affects round trips.
pub(crate) fn quoted(i: &[u8]) -> Res<'_, String> {
    let i = ws(i);
    let Some(body) = i.strip_prefix(b"\"") else {
        return fail(i, "a quoted string");
    };
    let Some(end) = body.iter().position(|b| *b == b'"') else {
        return fail(i, "a closing quote");
    };
    let (raw, rest) = (&body[..end], &body[end + 1..]);
    let bytes = if raw.contains(&b'#') {
        unescape(raw)
    } else {
        raw.to_vec()
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok((rest, s)),
        Err(_) => fail(i, "UTF-8 text in the quoted string"),
    }
}

fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut k = 0;
    while k < raw.len() {
        let b = raw[k];
        if b == b'#' {
            if let (Some(h), Some(l)) = (
                raw.get(k + 1).copied().and_then(hex_val),
                raw.get(k + 2).copied().and_then(hex_val),
            ) {
                out.push((h << 4) | l);
                k += 3;
                continue;
            }
        }
        out.push(b);
        k += 1;
    }
    out
}

/// A quoted string or, if it does not start with a quote, a bare run of non-blank bytes
/// taken literally (LOGIN credentials may be sent unquoted).
pub(crate) fn quoted_or_bare(i: &[u8]) -> Res<'_, String> {
    let i = ws(i);
    if i.first() == Some(&b'"') {
        return quoted(i);
    }
    let n = i
        .iter()
        .position(|b| is_blank(*b) || *b == b'\r')
        .unwrap_or(i.len());
    if n == 0 {
        return fail(i, "a quoted or bare string");
    }
    match std::str::from_utf8(&i[..n]) {
        Ok(s) => Ok((&i[n..], s.to_owned())),
        Err(_) => fail(i, "UTF-8 text"),
    }
}

/// A quoted timestamp `"YYYY-MM-DD hh:mm:ss"`.
pub(crate) fn timestamp(i: &[u8]) -> Res<'_, Timestamp> {
    let i = ws(i);
    let Some(t) = i.get(..21) else {
        return fail(i, "a quoted timestamp \"YYYY-MM-DD hh:mm:ss\"");
    };
    let shape_ok = t[0] == b'"'
        && t[5] == b'-'
        && t[8] == b'-'
        && t[11] == b' '
        && t[14] == b':'
        && t[17] == b':'
        && t[20] == b'"';
    let d = |a: usize, n: usize| -> Option<u16> {
        t[a..a + n].iter().try_fold(0u16, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
        })
    };
    let parts = (d(1, 4), d(6, 2), d(9, 2), d(12, 2), d(15, 2), d(18, 2));
    if let (true, (Some(y), Some(mo), Some(da), Some(h), Some(mi), Some(s))) = (shape_ok, parts) {
        // The two-digit fields are < 100, so the narrowing casts are lossless.
        if let Ok(ts) = Timestamp::new(y, mo as u8, da as u8, h as u8, mi as u8, s as u8) {
            return Ok((&i[21..], ts));
        }
        return fail(i, "a timestamp with fields in calendar range");
    }
    fail(i, "a quoted timestamp \"YYYY-MM-DD hh:mm:ss\"")
}

/// A list separator `,` (with optional blanks around it).
pub(crate) fn comma(i: &[u8]) -> Res<'_, ()> {
    let i = ws(i);
    match i.strip_prefix(b",") {
        Some(rest) => Ok((rest, ())),
        None => fail(i, "','"),
    }
}

/// Succeeds only at the end of the line (after optional blanks).
pub(crate) fn end(i: &[u8]) -> Res<'_, ()> {
    let i = ws(i);
    if i.is_empty() {
        Ok((i, ()))
    } else {
        fail(i, "end of line")
    }
}

/// True when only blanks remain, or the next token is a `,` list separator.
pub(crate) fn at_item_end(i: &[u8]) -> bool {
    matches!(ws(i).first(), None | Some(b','))
}

/// Runs `p` on the whole line and requires nothing but blanks after it.
pub(crate) fn whole<'a, T>(
    mut p: impl Parser<&'a [u8], Output = T, Error = PErr<'a>>,
    line: &'a [u8],
) -> Result<T, PErr<'a>> {
    match p.parse(line).and_then(|(rest, v)| end(rest).map(|_| v)) {
        Ok(v) => Ok(v),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        // Only `complete` parsers are used, so `Incomplete` cannot happen; map it anyway.
        Err(nom::Err::Incomplete(_)) => Err(PErr {
            rest: &line[line.len()..],
            expected: "more input",
        }),
    }
}

/// One or more `item`s separated by `,`; after a comma an item is required (its error is
/// reported, not swallowed).
pub(crate) fn comma_list1<'a, T>(
    mut item: impl FnMut(&'a [u8]) -> Res<'a, T>,
    i: &'a [u8],
) -> Res<'a, Vec<T>> {
    let (mut i, first) = item(i)?;
    let mut out = vec![first];
    while let Ok((rest, ())) = comma(i) {
        let (rest, v) = item(rest)?;
        out.push(v);
        i = rest;
    }
    Ok((i, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_decode_hash_escapes_and_keep_raw_utf8() {
        assert_eq!(
            quoted(b"\"#D1#8E#D1#80\" rest"),
            Ok((&b" rest"[..], "юр".to_owned()))
        );
        assert_eq!(quoted(b" \"a,b\"").map(|r| r.1), Ok("a,b".to_owned()));
        assert_eq!(
            quoted("\"юр\"".as_bytes()).map(|r| r.1),
            Ok("юр".to_owned())
        );
        assert_eq!(
            quoted(b"\"#22#23#0d#0A\"").map(|r| r.1),
            Ok("\"#\r\n".to_owned())
        );
    }

    #[test]
    fn a_hash_without_two_hex_digits_is_kept_literally() {
        assert_eq!(
            quoted(b"\"Room #5\"").map(|r| r.1),
            Ok("Room #5".to_owned())
        );
        assert_eq!(quoted(b"\"#\"").map(|r| r.1), Ok("#".to_owned()));
    }

    #[test]
    fn quoted_strings_reject_missing_quotes_and_bad_utf8() {
        assert_eq!(quoted(b"abc").map_err(|_| ()), Err(()));
        assert_eq!(quoted(b"\"abc").map_err(|_| ()), Err(()));
        assert_eq!(quoted(b"\"#FF\"").map_err(|_| ()), Err(()));
    }

    #[test]
    fn numbers_reject_overflow_and_glued_letters() {
        assert_eq!(number(b"4294967295"), Ok((&b""[..], u32::MAX)));
        assert!(number(b"4294967296").is_err());
        assert!(number(b"12ab").is_err());
        assert_eq!(number(b" 7,"), Ok((&b","[..], 7)));
        assert_eq!(hex_u32(b"deadBEEF"), Ok((&b""[..], 0xDEAD_BEEF)));
        assert!(hex_u32(b"123456789").is_err());
    }

    #[test]
    fn timestamps_are_checked_for_shape_and_range() {
        let (_, t) = timestamp(b"\"2025-01-27 11:23:08\"").expect("valid");
        assert_eq!(t.to_string(), "2025-01-27 11:23:08");
        assert!(timestamp(b"\"2025-01-27 24:00:00\"").is_err());
        assert!(timestamp(b"\"2025-1-27 11:23:08\"").is_err());
        assert!(timestamp(b"\"2025-01-27 11:23:08").is_err());
    }

    #[test]
    fn keywords_match_whole_words_case_insensitively() {
        assert!(keyword("ALL")(b" all").is_ok());
        assert!(keyword("ALL")(b"ALLX").is_err());
        assert_eq!(
            keyword("OK")(b"OKAY").map_err(|e| match e {
                nom::Err::Error(e) => e.expected,
                _ => "",
            }),
            Err("OK")
        );
    }
}
