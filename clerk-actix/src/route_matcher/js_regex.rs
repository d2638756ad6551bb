//! Translation of JavaScript regular-expression source (as path-to-regexp builds it, custom
//! `(...)` groups included) into `regex` crate syntax that matches the same strings.
//!
//! path-to-regexp compiles with the flag `i` and without `u`, so the JavaScript engine uses its
//! non-Unicode rules: case-insensitivity follows the ECMAScript `Canonicalize` operation (upper-case
//! mapping, never folding a non-ASCII character onto an ASCII one), `\d`, `\w`, `\b` are ASCII-only and
//! `.` excludes the four line terminators. The `regex` crate folds case with Unicode simple case
//! folding (`ſ` would match `s`, the Kelvin sign `k`), so instead of `(?i)` every literal and class is
//! expanded here into the exact set of characters JavaScript would accept.
//!
//! Known residual difference: JavaScript matches UTF-16 code units, Rust matches scalar values, so a
//! character outside the Basic Multilingual Plane counts as two characters for `.` or a `{n}` count in
//! JavaScript and as one here.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Why a JavaScript regular expression has no `regex` crate equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TranslateError {
    /// Valid JavaScript that a finite-automaton engine cannot express (look-around, back-references).
    #[error("{0} is not supported by the regex engine")]
    Unsupported(&'static str),
    /// JavaScript itself rejects it.
    #[error("invalid regular expression: {0}")]
    Invalid(&'static str),
}

/// Translates JavaScript (non-Unicode, case-insensitive) regular-expression source to `regex` syntax.
pub(crate) fn translate_case_insensitive(source: &str) -> Result<String, TranslateError> {
    let mut translator = Translator {
        chars: source.chars().collect(),
        position: 0,
        output: String::with_capacity(source.len() * 2),
        can_repeat: false,
    };
    translator.run()?;
    Ok(translator.output)
}

/// One thing an escape sequence can stand for.
enum Atom {
    Char(char),
    Set(CharSet),
    WordBoundary,
    NotWordBoundary,
}

struct Translator {
    chars: Vec<char>,
    position: usize,
    output: String,
    /// Whether the last emitted item can take a quantifier (JavaScript rejects `a**`, `^*`, `(*`).
    can_repeat: bool,
}

impl Translator {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.position + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let next = self.peek(0)?;
        self.position += 1;
        Some(next)
    }

    fn run(&mut self) -> Result<(), TranslateError> {
        while let Some(next) = self.bump() {
            match next {
                '\\' => match self.escape(false)? {
                    Atom::Char(literal) => self.literal(literal),
                    Atom::Set(set) => self.set(&set),
                    Atom::WordBoundary => self.assertion(r"(?-u:\b)"),
                    Atom::NotWordBoundary => self.assertion(r"(?-u:\B)"),
                },
                '[' => {
                    let set = self.class()?;
                    self.set(&set);
                }
                '.' => self.set(&CharSet::line_terminators().complement()),
                '(' => self.group()?,
                ')' => {
                    self.output.push(')');
                    self.can_repeat = true;
                }
                '|' => self.assertion("|"),
                '^' => self.assertion("^"),
                '$' => self.assertion("$"),
                '*' | '+' | '?' => self.quantifier(next.to_string())?,
                // Outside a valid `{n}`, `{n,}`, `{n,m}` JavaScript (Annex B) reads braces literally.
                '{' => match self.counted_repetition() {
                    Some(quantifier) => self.quantifier(quantifier)?,
                    None => self.literal('{'),
                },
                other => self.literal(other),
            }
        }
        Ok(())
    }

    fn assertion(&mut self, text: &str) {
        self.output.push_str(text);
        self.can_repeat = false;
    }

    fn literal(&mut self, literal: char) {
        let folded = CharSet::single(literal).js_case_fold();
        if folded.is_single(literal) {
            self.output
                .push_str(&regex::escape(literal.encode_utf8(&mut [0; 4])));
        } else {
            folded.write_class(&mut self.output);
        }
        self.can_repeat = true;
    }

    fn set(&mut self, set: &CharSet) {
        set.js_case_fold().write_class(&mut self.output);
        self.can_repeat = true;
    }

    fn quantifier(&mut self, quantifier: String) -> Result<(), TranslateError> {
        if !self.can_repeat {
            return Err(TranslateError::Invalid("nothing to repeat"));
        }
        self.output.push_str(&quantifier);
        if self.peek(0) == Some('?') {
            self.position += 1;
            self.output.push('?');
        }
        self.can_repeat = false;
        Ok(())
    }

    /// After `{`: consumes and returns `{n}`, `{n,}` or `{n,m}` if that is what follows.
    fn counted_repetition(&mut self) -> Option<String> {
        let rest = &self.chars[self.position..];
        let close = rest.iter().position(|&c| c == '}')?;
        let body: String = rest[..close].iter().collect();
        let (min, max) = body.split_once(',').unwrap_or((&body, "0"));
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if min.is_empty() || !all_digits(min) || !all_digits(max) {
            return None;
        }
        self.position += close + 1;
        Some(format!("{{{body}}}"))
    }

    fn group(&mut self) -> Result<(), TranslateError> {
        if self.peek(0) == Some('?') {
            match (self.peek(1), self.peek(2)) {
                (Some(':'), _) => self.position += 2,
                (Some('=' | '!'), _) => return Err(TranslateError::Unsupported("look-ahead")),
                (Some('<'), Some('=' | '!')) => {
                    return Err(TranslateError::Unsupported("look-behind"));
                }
                (Some('<'), _) => return Err(TranslateError::Unsupported("a named capture group")),
                _ => return Err(TranslateError::Invalid("invalid group")),
            }
            self.output.push_str("(?:");
        } else {
            self.output.push('(');
        }
        self.can_repeat = false;
        Ok(())
    }

    /// After `[`: a character class, returned as the set of characters it accepts.
    fn class(&mut self) -> Result<CharSet, TranslateError> {
        let negated = self.peek(0) == Some('^');
        if negated {
            self.position += 1;
        }
        let mut set = CharSet::default();
        loop {
            let next = self
                .bump()
                .ok_or(TranslateError::Invalid("unterminated character class"))?;
            if next == ']' {
                break;
            }
            let first = self.class_atom(next)?;
            let is_range = self.peek(0) == Some('-') && self.peek(1).is_some_and(|c| c != ']');
            if !is_range {
                set.add_atom(first);
                continue;
            }
            self.position += 1;
            let second_start = self
                .bump()
                .ok_or(TranslateError::Invalid("unterminated character class"))?;
            match (first, self.class_atom(second_start)?) {
                (Atom::Char(low), Atom::Char(high)) => {
                    if low > high {
                        return Err(TranslateError::Invalid(
                            "range out of order in character class",
                        ));
                    }
                    set.add_range(low as u32, high as u32);
                }
                // Annex B: a range with a class escape on either side is the union of both and `-`.
                (first, second) => {
                    set.add_atom(first);
                    set.add_range('-' as u32, '-' as u32);
                    set.add_atom(second);
                }
            }
        }
        // For `[^...]` JavaScript rejects every character case-equivalent to a listed one.
        let folded = set.js_case_fold();
        Ok(if negated { folded.complement() } else { folded })
    }

    fn class_atom(&mut self, first: char) -> Result<Atom, TranslateError> {
        if first == '\\' {
            self.escape(true)
        } else {
            Ok(Atom::Char(first))
        }
    }

    /// After `\`: the escape sequence, with JavaScript's non-Unicode (Annex B) meaning.
    fn escape(&mut self, in_class: bool) -> Result<Atom, TranslateError> {
        let escaped = self
            .bump()
            .ok_or(TranslateError::Invalid("\\ at end of pattern"))?;
        let atom = match escaped {
            'd' => Atom::Set(CharSet::digits()),
            'D' => Atom::Set(CharSet::digits().complement()),
            'w' => Atom::Set(CharSet::word()),
            'W' => Atom::Set(CharSet::word().complement()),
            's' => Atom::Set(CharSet::white_space()),
            'S' => Atom::Set(CharSet::white_space().complement()),
            'b' if in_class => Atom::Char('\u{8}'),
            'b' => Atom::WordBoundary,
            'B' if !in_class => Atom::NotWordBoundary,
            'f' => Atom::Char('\u{c}'),
            'n' => Atom::Char('\n'),
            'r' => Atom::Char('\r'),
            't' => Atom::Char('\t'),
            'v' => Atom::Char('\u{b}'),
            'c' => match self.peek(0) {
                Some(letter)
                    if letter.is_ascii_alphabetic()
                        || (in_class && (letter.is_ascii_digit() || letter == '_')) =>
                {
                    self.position += 1;
                    Atom::Char(char::from(letter as u8 % 32))
                }
                // Annex B: `\c` not followed by a control letter is a literal backslash, then `c`.
                _ => {
                    self.position -= 1;
                    Atom::Char('\\')
                }
            },
            '0' if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) => Atom::Char('\0'),
            '0'..='9' => {
                return Err(TranslateError::Unsupported(
                    "a back-reference or octal escape",
                ));
            }
            'x' => self.hex_escape(2, 'x')?,
            'u' => self.hex_escape(4, 'u')?,
            // Annex B identity escape: any other character stands for itself.
            other => Atom::Char(other),
        };
        Ok(atom)
    }

    /// `\xHH` / `\uHHHH`; with too few hex digits JavaScript reads the letter literally.
    fn hex_escape(&mut self, digits: usize, letter: char) -> Result<Atom, TranslateError> {
        let value = (0..digits).try_fold(0u32, |acc, offset| {
            Some(acc * 16 + self.peek(offset)?.to_digit(16)?)
        });
        let Some(value) = value else {
            return Ok(Atom::Char(letter));
        };
        self.position += digits;
        char::from_u32(value)
            .map(Atom::Char)
            .ok_or(TranslateError::Unsupported("a surrogate code unit escape"))
    }
}

/// A set of Unicode scalar values as sorted, non-overlapping, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CharSet {
    ranges: Vec<(u32, u32)>,
}

const MAX_CHAR: u32 = char::MAX as u32;
const SURROGATES: (u32, u32) = (0xD800, 0xDFFF);

impl CharSet {
    fn from_ranges(ranges: &[(u32, u32)]) -> Self {
        let mut set = Self::default();
        for &(low, high) in ranges {
            set.add_range(low, high);
        }
        set
    }

    fn single(c: char) -> Self {
        Self::from_ranges(&[(c as u32, c as u32)])
    }

    fn digits() -> Self {
        Self::from_ranges(&[('0' as u32, '9' as u32)])
    }

    fn word() -> Self {
        Self::from_ranges(&[
            ('0' as u32, '9' as u32),
            ('A' as u32, 'Z' as u32),
            ('_' as u32, '_' as u32),
            ('a' as u32, 'z' as u32),
        ])
    }

    /// ECMAScript WhiteSpace and LineTerminator.
    fn white_space() -> Self {
        Self::from_ranges(&[
            (0x09, 0x0D),
            (0x20, 0x20),
            (0xA0, 0xA0),
            (0x1680, 0x1680),
            (0x2000, 0x200A),
            (0x2028, 0x2029),
            (0x202F, 0x202F),
            (0x205F, 0x205F),
            (0x3000, 0x3000),
            (0xFEFF, 0xFEFF),
        ])
    }

    fn line_terminators() -> Self {
        Self::from_ranges(&[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)])
    }

    fn add_atom(&mut self, atom: Atom) {
        match atom {
            Atom::Char(c) => self.add_range(c as u32, c as u32),
            Atom::Set(set) => {
                for (low, high) in set.ranges {
                    self.add_range(low, high);
                }
            }
            // Class escapes never produce assertions (`\b` is backspace, `\B` is `B` there).
            Atom::WordBoundary | Atom::NotWordBoundary => {}
        }
    }

    fn add_range(&mut self, low: u32, high: u32) {
        self.ranges.push((low, high));
        self.normalize();
    }

    /// Restores the invariant (sorted, merged) after ranges were pushed in any order.
    fn normalize(&mut self) {
        self.ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len());
        for &(low, high) in &self.ranges {
            match merged.last_mut() {
                Some(last) if low <= last.1.saturating_add(1) => last.1 = last.1.max(high),
                _ => merged.push((low, high)),
            }
        }
        self.ranges = merged;
    }

    fn contains(&self, c: u32) -> bool {
        let at = self.ranges.partition_point(|&(_, high)| high < c);
        self.ranges.get(at).is_some_and(|&(low, _)| low <= c)
    }

    fn is_single(&self, c: char) -> bool {
        self.ranges == [(c as u32, c as u32)]
    }

    fn complement(&self) -> Self {
        let mut ranges = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = 0u32;
        for &(low, high) in &self.ranges {
            if low > next {
                ranges.push((next, low - 1));
            }
            next = high.saturating_add(1);
        }
        if next <= MAX_CHAR {
            ranges.push((next, MAX_CHAR));
        }
        Self { ranges }
    }

    /// Adds every character JavaScript's case-insensitive comparison treats as equal to a member.
    fn js_case_fold(&self) -> Self {
        let mut folded = self.clone();
        for class in &case_fold_table().classes {
            if class.iter().any(|&c| self.contains(c)) {
                folded.ranges.extend(class.iter().map(|&c| (c, c)));
            }
        }
        folded.normalize();
        folded
    }

    /// Writes the set as a `regex` class. Surrogates are not scalar values, so no range may start
    /// or end on one (a range spanning them is fine: the engine skips them).
    fn write_class(&self, output: &mut String) {
        let ranges: Vec<(u32, u32)> = self
            .ranges
            .iter()
            .filter_map(|&(low, high)| {
                let low = if (SURROGATES.0..=SURROGATES.1).contains(&low) {
                    SURROGATES.1 + 1
                } else {
                    low
                };
                let high = if (SURROGATES.0..=SURROGATES.1).contains(&high) {
                    SURROGATES.0 - 1
                } else {
                    high
                };
                (low <= high).then_some((low, high))
            })
            .collect();
        if ranges.is_empty() {
            output.push_str(r"[^\x{0}-\x{10FFFF}]");
            return;
        }
        output.push('[');
        for (low, high) in ranges {
            write_class_char(output, low);
            if high != low {
                output.push('-');
                write_class_char(output, high);
            }
        }
        output.push(']');
    }
}

fn write_class_char(output: &mut String, c: u32) {
    match char::from_u32(c) {
        Some(c) if c.is_ascii_alphanumeric() => output.push(c),
        _ => {
            let _ = write!(output, "\\x{{{c:X}}}");
        }
    }
}

/// Groups of characters that JavaScript's non-Unicode `i` flag treats as equal (only groups with
/// more than one member).
struct CaseFoldTable {
    classes: Vec<Vec<u32>>,
}

fn case_fold_table() -> &'static CaseFoldTable {
    static TABLE: OnceLock<CaseFoldTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_canonical: HashMap<char, Vec<u32>> = HashMap::new();
        // Without the `u` flag JavaScript compares UTF-16 code units; surrogate halves have no case,
        // so only the Basic Multilingual Plane can fold.
        for c in (0..=0xFFFF).filter_map(char::from_u32) {
            by_canonical
                .entry(js_canonicalize(c))
                .or_default()
                .push(c as u32);
        }
        let mut classes: Vec<Vec<u32>> = by_canonical
            .into_values()
            .filter(|members| members.len() > 1)
            .collect();
        classes.sort_unstable();
        CaseFoldTable { classes }
    })
}

/// ECMAScript `Canonicalize(ch)` for a case-insensitive, non-Unicode regular expression.
fn js_canonicalize(c: char) -> char {
    let mut upper = c.to_uppercase();
    let (Some(single), None) = (upper.next(), upper.next()) else {
        return c;
    };
    let is_one_code_unit = single as u32 <= 0xFFFF;
    let folds_non_ascii_onto_ascii = !c.is_ascii() && single.is_ascii();
    if is_one_code_unit && !folds_non_ascii_onto_ascii {
        single
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(js: &str) -> regex::Regex {
        let rust = translate_case_insensitive(js).unwrap_or_else(|e| panic!("{js}: {e}"));
        regex::Regex::new(&rust).unwrap_or_else(|e| panic!("{js} -> {rust}: {e}"))
    }

    #[test]
    fn canonicalize_follows_the_non_unicode_rules() {
        assert_eq!(js_canonicalize('a'), 'A');
        assert_eq!(js_canonicalize('é'), 'É');
        // Non-ASCII never folds onto ASCII.
        assert_eq!(js_canonicalize('ſ'), 'ſ');
        assert_eq!(js_canonicalize('ı'), 'ı');
        // Multi-character upper case keeps the character.
        assert_eq!(js_canonicalize('ß'), 'ß');
        assert_eq!(js_canonicalize('\u{212A}'), '\u{212A}');
    }

    #[test]
    fn literals_are_case_insensitive_like_javascript() {
        let re = compile("^\\/settings$");
        assert!(re.is_match("/SETTINGS"));
        assert!(re.is_match("/Settings"));
        // JavaScript `/s/i` does not match U+017F, nor `/k/i` the Kelvin sign.
        assert!(!re.is_match("/ſettings"));
        assert!(!compile("^k$").is_match("\u{212A}"));
        assert!(compile("^é$").is_match("É"));
        assert!(compile("^σ$").is_match("ς"));
    }

    #[test]
    fn negated_classes_exclude_every_case_variant() {
        let re = compile("^[^a]$");
        assert!(!re.is_match("a"));
        assert!(!re.is_match("A"));
        assert!(re.is_match("b"));
    }

    #[test]
    fn class_escapes_are_ascii_only() {
        assert!(compile("^\\d$").is_match("7"));
        assert!(!compile("^\\d$").is_match("\u{0663}"));
        assert!(!compile("^\\w$").is_match("é"));
        assert!(!compile("^\\w$").is_match("\u{212A}"));
        assert!(compile("^\\W$").is_match("é"));
        assert!(compile("^\\s$").is_match("\u{FEFF}"));
        assert!(!compile("^\\s$").is_match("\u{85}"));
        assert!(compile("^[\\d-x]+$").is_match("1-X"));
    }

    #[test]
    fn dot_excludes_javascript_line_terminators() {
        let re = compile("^a.b$");
        assert!(re.is_match("a-b"));
        for terminator in ["\n", "\r", "\u{2028}", "\u{2029}"] {
            assert!(!re.is_match(&format!("a{terminator}b")), "{terminator:?}");
        }
    }

    #[test]
    fn annex_b_literal_forms() {
        assert!(compile("^a{$").is_match("A{"));
        assert!(compile("^{x}$").is_match("{x}"));
        assert!(compile("^]$").is_match("]"));
        assert!(compile("^\\c$").is_match("\\c"));
        assert!(compile("^\\cJ$").is_match("\n"));
        assert!(compile("^\\x4$").is_match("x4"));
        assert!(compile("^\\x41$").is_match("a"));
        assert!(compile("^\\u00e9$").is_match("É"));
        assert!(compile("^[\\b]$").is_match("\u{8}"));
        assert!(compile("^\\/\\:\\=\\!$").is_match("/:=!"));
        assert!(compile("^[]$").find("").is_none());
        assert!(compile("^[^]$").is_match("\n"));
        assert!(compile("^a{2,3}?$").is_match("aA"));
    }

    #[test]
    fn word_boundaries_are_ascii() {
        let re = compile("\\bfoo\\b");
        assert!(re.is_match("a foo b"));
        assert!(!re.is_match("afoo"));
        assert!(compile("é\\bfoo").is_match("éfoo"));
    }

    #[test]
    fn rejects_what_the_engine_cannot_express() {
        for (js, expected) in [
            ("(?=a)", TranslateError::Unsupported("look-ahead")),
            ("(?!a)", TranslateError::Unsupported("look-ahead")),
            ("(?<=a)", TranslateError::Unsupported("look-behind")),
            (
                "(?<n>a)",
                TranslateError::Unsupported("a named capture group"),
            ),
            (
                "(a)\\1",
                TranslateError::Unsupported("a back-reference or octal escape"),
            ),
            (
                "\\00",
                TranslateError::Unsupported("a back-reference or octal escape"),
            ),
            (
                "\\ud800",
                TranslateError::Unsupported("a surrogate code unit escape"),
            ),
            ("a**", TranslateError::Invalid("nothing to repeat")),
            ("*", TranslateError::Invalid("nothing to repeat")),
            ("^*", TranslateError::Invalid("nothing to repeat")),
            (
                "[z-a]",
                TranslateError::Invalid("range out of order in character class"),
            ),
            (
                "[a",
                TranslateError::Invalid("unterminated character class"),
            ),
            ("a\\", TranslateError::Invalid("\\ at end of pattern")),
            ("(?x)", TranslateError::Invalid("invalid group")),
        ] {
            assert_eq!(translate_case_insensitive(js), Err(expected), "{js}");
        }
    }

    #[test]
    fn char_set_complement_and_membership() {
        let set = CharSet::from_ranges(&[(10, 20), (0, 5), (6, 9)]);
        assert_eq!(set.ranges, vec![(0, 20)]);
        let complement = set.complement();
        assert_eq!(complement.ranges, vec![(21, MAX_CHAR)]);
        assert!(!complement.contains(20));
        assert!(complement.contains(21));
        assert_eq!(CharSet::default().complement().ranges, vec![(0, MAX_CHAR)]);
    }
}
