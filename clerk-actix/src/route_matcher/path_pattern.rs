//! A port of path-to-regexp 6.3 (`pathToRegexp` and `match`) with the options Clerk uses: the
//! defaults, i.e. case-insensitive, anchored at both ends, optional trailing delimiter, delimiters
//! `/#?` and prefixes `./`.
//!
//! Each pattern yields two regular expressions: `source`, the exact JavaScript source that
//! path-to-regexp produces (kept for diagnostics and to test the port against upstream output), and
//! the compiled `regex` that matches the same paths (see `js_regex` for the translation).

use std::fmt;
use std::fmt::Write as _;

use regex::Regex;

use super::js_regex::{self, TranslateError};

const PREFIXES: &str = "./";
const DELIMITERS: &str = "/#?";
/// `[^\/#\?]+?`: one segment, the default pattern of a parameter.
const SEGMENT: &str = "[^\\/#\\?]+?";
/// `[\/#\?]?$`: the optional trailing delimiter and the end anchor.
const TAIL: &str = "[\\/#\\?]?$";

/// Why a pattern does not compile. Messages follow path-to-regexp's wording where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PatternError {
    #[error("missing parameter name at {0}")]
    MissingParameterName(usize),
    #[error("pattern cannot start with \"?\" at {0}")]
    PatternStartsWithQuestionMark(usize),
    #[error("capturing groups are not allowed at {0}")]
    CapturingGroup(usize),
    #[error("unbalanced pattern at {0}")]
    UnbalancedPattern(usize),
    #[error("missing pattern at {0}")]
    MissingPattern(usize),
    /// path-to-regexp silently drops a trailing `\`; a typo in a security rule should not pass.
    #[error("escape character \"\\\" at the end of the pattern (at {0})")]
    TrailingEscape(usize),
    #[error("unexpected {found} at {at}, expected {expected}")]
    UnexpectedToken {
        found: TokenKind,
        at: usize,
        expected: TokenKind,
    },
    #[error("must have text between two parameters, missing text after \"{0}\"")]
    MissingTextBetweenParameters(String),
    #[error("can not repeat \"{0}\" without a prefix and suffix")]
    RepeatWithoutPrefixOrSuffix(String),
    /// path-to-regexp 6.3 guards such a parameter with a look-ahead for the whole text; one
    /// character translates to a class, longer text has no look-ahead-free equivalent.
    #[error(
        "the parameter after \"{0}\" needs a look-ahead for that text, which the regex engine does not \
         support; separate parameters with '/', '.' or a single character"
    )]
    LookAheadRequired(String),
    #[error("custom pattern: {0}")]
    CustomRegex(#[from] TranslateError),
    #[error("the regex engine rejected the pattern: {0}")]
    Engine(String),
}

/// Token kinds, displayed with path-to-regexp's names (they appear in error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Modifier,
    EscapedChar,
    Open,
    Close,
    Name,
    Pattern,
    Char,
    End,
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Modifier => "MODIFIER",
            Self::EscapedChar => "ESCAPED_CHAR",
            Self::Open => "OPEN",
            Self::Close => "CLOSE",
            Self::Name => "NAME",
            Self::Pattern => "PATTERN",
            Self::Char => "CHAR",
            Self::End => "END",
        })
    }
}

struct Token {
    kind: TokenKind,
    /// Character offset in the pattern.
    index: usize,
    value: String,
}

fn lex(pattern: &str) -> Result<Vec<Token>, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let token = |kind, index, value: String| Token { kind, index, value };
    while let Some(&c) = chars.get(i) {
        match c {
            '*' | '+' | '?' => {
                tokens.push(token(TokenKind::Modifier, i, c.to_string()));
                i += 1;
            }
            '\\' => {
                let escaped = chars.get(i + 1).ok_or(PatternError::TrailingEscape(i))?;
                tokens.push(token(TokenKind::EscapedChar, i, escaped.to_string()));
                i += 2;
            }
            '{' => {
                tokens.push(token(TokenKind::Open, i, c.to_string()));
                i += 1;
            }
            '}' => {
                tokens.push(token(TokenKind::Close, i, c.to_string()));
                i += 1;
            }
            ':' => {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                if name.is_empty() {
                    return Err(PatternError::MissingParameterName(i));
                }
                let end = i + 1 + name.len();
                tokens.push(token(TokenKind::Name, i, name));
                i = end;
            }
            '(' => {
                let (regex, end) = lex_custom_pattern(&chars, i)?;
                tokens.push(token(TokenKind::Pattern, i, regex));
                i = end;
            }
            _ => {
                tokens.push(token(TokenKind::Char, i, c.to_string()));
                i += 1;
            }
        }
    }
    tokens.push(token(TokenKind::End, i, String::new()));
    Ok(tokens)
}

/// The regex text of a `( ... )` group starting at `start`, and the index just past its `)`.
fn lex_custom_pattern(chars: &[char], start: usize) -> Result<(String, usize), PatternError> {
    let mut depth = 1;
    let mut regex = String::new();
    let mut j = start + 1;
    if chars.get(j) == Some(&'?') {
        return Err(PatternError::PatternStartsWithQuestionMark(j));
    }
    while let Some(&c) = chars.get(j) {
        if c == '\\' {
            regex.push(c);
            regex.extend(chars.get(j + 1));
            j += 2;
            continue;
        }
        if c == ')' {
            depth -= 1;
            if depth == 0 {
                j += 1;
                break;
            }
        } else if c == '(' {
            depth += 1;
            if chars.get(j + 1) != Some(&'?') {
                return Err(PatternError::CapturingGroup(j));
            }
        }
        regex.push(c);
        j += 1;
    }
    if depth != 0 {
        return Err(PatternError::UnbalancedPattern(start));
    }
    if regex.is_empty() {
        return Err(PatternError::MissingPattern(start));
    }
    Ok((regex, j))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Optional,
    ZeroOrMore,
    OneOrMore,
}

impl Modifier {
    fn parse(token: Option<String>) -> Self {
        match token.as_deref() {
            Some("?") => Self::Optional,
            Some("*") => Self::ZeroOrMore,
            Some("+") => Self::OneOrMore,
            _ => Self::None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Optional => "?",
            Self::ZeroOrMore => "*",
            Self::OneOrMore => "+",
        }
    }

    fn repeats(self) -> bool {
        matches!(self, Self::ZeroOrMore | Self::OneOrMore)
    }
}

/// A parameter's regex, in JavaScript form and in the form handed to the translator (they differ
/// only where path-to-regexp emits a look-ahead).
#[derive(Debug, Clone)]
struct KeyPattern {
    javascript: String,
    translatable: String,
}

impl KeyPattern {
    fn same(regex: String) -> Self {
        Self {
            translatable: regex.clone(),
            javascript: regex,
        }
    }
}

#[derive(Debug, Clone)]
struct Key {
    /// The parameter name; unnamed groups are numbered from 0 as in JavaScript.
    name: String,
    prefix: String,
    suffix: String,
    pattern: KeyPattern,
    modifier: Modifier,
}

enum Part {
    Text(String),
    Key(Key),
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    next_unnamed: usize,
    path: String,
    parts: Vec<Part>,
}

impl Parser {
    fn try_consume(&mut self, kind: TokenKind) -> Option<String> {
        let token = self.tokens.get_mut(self.position)?;
        if token.kind != kind {
            return None;
        }
        self.position += 1;
        Some(std::mem::take(&mut token.value))
    }

    fn must_consume(&mut self, kind: TokenKind) -> Result<String, PatternError> {
        if let Some(value) = self.try_consume(kind) {
            return Ok(value);
        }
        let (found, at) = self
            .tokens
            .get(self.position)
            .map_or((TokenKind::End, 0), |token| (token.kind, token.index));
        Err(PatternError::UnexpectedToken {
            found,
            at,
            expected: kind,
        })
    }

    fn consume_text(&mut self) -> String {
        let mut text = String::new();
        while let Some(value) = self
            .try_consume(TokenKind::Char)
            .or_else(|| self.try_consume(TokenKind::EscapedChar))
        {
            text.push_str(&value);
        }
        text
    }

    fn flush_path(&mut self) {
        if !self.path.is_empty() {
            self.parts.push(Part::Text(std::mem::take(&mut self.path)));
        }
    }

    fn unnamed(&mut self) -> String {
        self.next_unnamed += 1;
        (self.next_unnamed - 1).to_string()
    }

    /// The default pattern of a parameter: one segment that cannot start with the text before it
    /// (path-to-regexp 6.3's guard against catastrophic backtracking, kept for identical matches).
    fn safe_pattern(&self, prefix: &str) -> Result<KeyPattern, PatternError> {
        let previous = self.parts.last();
        let text = match previous {
            _ if !prefix.is_empty() => prefix,
            Some(Part::Text(text)) => text.as_str(),
            Some(Part::Key(key)) => {
                return Err(PatternError::MissingTextBetweenParameters(key.name.clone()));
            }
            None => "",
        };
        if text.is_empty() || text.contains(|c| DELIMITERS.contains(c)) {
            return Ok(KeyPattern::same(SEGMENT.to_owned()));
        }
        let escaped = escape_string(text);
        let javascript = format!("(?:(?!{escaped})[^\\/#\\?])+?");
        // A one-character look-ahead only inspects the character being consumed: a class says the same.
        if text.chars().count() != 1 {
            return Err(PatternError::LookAheadRequired(text.to_owned()));
        }
        Ok(KeyPattern {
            javascript,
            translatable: format!("(?:[^\\/#\\?{escaped}])+?"),
        })
    }

    fn parse(mut self) -> Result<Vec<Part>, PatternError> {
        while self.position < self.tokens.len() {
            let char = self.try_consume(TokenKind::Char);
            let name = self.try_consume(TokenKind::Name);
            let pattern = self.try_consume(TokenKind::Pattern);
            if name.is_some() || pattern.is_some() {
                let mut prefix = char.unwrap_or_default();
                if !PREFIXES.contains(prefix.as_str()) {
                    self.path.push_str(&prefix);
                    prefix.clear();
                }
                self.flush_path();
                let name = match name {
                    Some(name) => name,
                    None => self.unnamed(),
                };
                let pattern = match pattern {
                    Some(pattern) => KeyPattern::same(pattern),
                    None => self.safe_pattern(&prefix)?,
                };
                let modifier = Modifier::parse(self.try_consume(TokenKind::Modifier));
                self.parts.push(Part::Key(Key {
                    name,
                    prefix,
                    suffix: String::new(),
                    pattern,
                    modifier,
                }));
                continue;
            }
            if let Some(value) = char.or_else(|| self.try_consume(TokenKind::EscapedChar)) {
                self.path.push_str(&value);
                continue;
            }
            self.flush_path();
            if self.try_consume(TokenKind::Open).is_some() {
                let prefix = self.consume_text();
                let name = self.try_consume(TokenKind::Name).unwrap_or_default();
                let pattern = self.try_consume(TokenKind::Pattern).unwrap_or_default();
                let suffix = self.consume_text();
                self.must_consume(TokenKind::Close)?;
                let key_pattern = if !name.is_empty() && pattern.is_empty() {
                    self.safe_pattern(&prefix)?
                } else {
                    KeyPattern::same(pattern)
                };
                let name = if !name.is_empty() {
                    name
                } else if !key_pattern.javascript.is_empty() {
                    self.unnamed()
                } else {
                    String::new()
                };
                let modifier = Modifier::parse(self.try_consume(TokenKind::Modifier));
                self.parts.push(Part::Key(Key {
                    name,
                    prefix,
                    suffix,
                    pattern: key_pattern,
                    modifier,
                }));
                continue;
            }
            self.must_consume(TokenKind::End)?;
        }
        Ok(self.parts)
    }
}

/// path-to-regexp's `escapeString`.
fn escape_string(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if ".+*?=^!:${}()[]|/\\".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// path-to-regexp's `tokensToRegexp` with default options; `pick` chooses which form of each
/// parameter regex to use.
fn build_source(parts: &[Part], pick: fn(&KeyPattern) -> &str) -> Result<String, PatternError> {
    let mut route = String::from("^");
    for part in parts {
        let key = match part {
            Part::Text(text) => {
                route.push_str(&escape_string(text));
                continue;
            }
            Part::Key(key) => key,
        };
        let prefix = escape_string(&key.prefix);
        let suffix = escape_string(&key.suffix);
        let pattern = pick(&key.pattern);
        let modifier = key.modifier.as_str();
        // `write!` to a String cannot fail.
        let _ = if pattern.is_empty() {
            write!(route, "(?:{prefix}{suffix}){modifier}")
        } else if prefix.is_empty() && suffix.is_empty() {
            if key.modifier.repeats() {
                return Err(PatternError::RepeatWithoutPrefixOrSuffix(key.name.clone()));
            }
            write!(route, "({pattern}){modifier}")
        } else if key.modifier.repeats() {
            let optional = if key.modifier == Modifier::ZeroOrMore {
                "?"
            } else {
                ""
            };
            write!(
                route,
                "(?:{prefix}((?:{pattern})(?:{suffix}{prefix}(?:{pattern}))*){suffix}){optional}"
            )
        } else {
            write!(route, "(?:{prefix}({pattern}){suffix}){modifier}")
        };
    }
    route.push_str(TAIL);
    Ok(route)
}

/// A compiled route pattern.
#[derive(Clone)]
pub(crate) struct PathPattern {
    pattern: String,
    source: String,
    regex: Regex,
    /// The parameters in capture-group order.
    keys: Vec<Key>,
}

impl fmt::Debug for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PathPattern")
            .field("pattern", &self.pattern)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl PathPattern {
    pub(crate) fn compile(pattern: &str) -> Result<Self, PatternError> {
        let parts = Parser {
            tokens: lex(pattern)?,
            position: 0,
            next_unnamed: 0,
            path: String::new(),
            parts: Vec::new(),
        }
        .parse()?;
        let source = build_source(&parts, |p| &p.javascript)?;
        let translatable = build_source(&parts, |p| &p.translatable)?;
        let rust_source = js_regex::translate_case_insensitive(&translatable)?;
        let regex = Regex::new(&rust_source).map_err(engine_error)?;
        let keys: Vec<Key> = parts
            .into_iter()
            .filter_map(|part| match part {
                Part::Key(key) if !key.pattern.javascript.is_empty() => Some(key),
                _ => None,
            })
            .collect();
        // Each key owns exactly one group; any other group would shift every parameter after it.
        if regex.captures_len() != keys.len() + 1 {
            return Err(PatternError::CapturingGroup(0));
        }
        Ok(Self {
            pattern: pattern.to_owned(),
            source,
            regex,
            keys,
        })
    }

    /// The regular expression path-to-regexp builds for this pattern (JavaScript syntax, flag `i`).
    #[cfg(test)]
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// The compiled equivalent in `regex` syntax.
    pub(crate) fn engine_source(&self) -> &str {
        self.regex.as_str()
    }

    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }

    /// path-to-regexp's `match(pattern)(path)` with the default `decode` (the identity): parameter
    /// values are raw slices of `path`, still percent-encoded.
    pub(crate) fn match_params<'p>(&self, path: &'p str) -> Option<Params<'_, 'p>> {
        let captures = self.regex.captures(path)?;
        let entries = self
            .keys
            .iter()
            .zip(captures.iter().skip(1))
            .filter_map(|(key, group)| {
                let value = group?.as_str();
                let value = if key.modifier.repeats() {
                    let separator = [key.prefix.as_str(), key.suffix.as_str()].concat();
                    ParamValue::Repeated(value.split(separator.as_str()).collect())
                } else {
                    ParamValue::Single(value)
                };
                Some((key.name.as_str(), value))
            })
            .collect();
        Some(Params { entries })
    }
}

pub(crate) fn engine_error(error: regex::Error) -> PatternError {
    // The message repeats the (long, generated) source; its last line says what is wrong.
    let message = error.to_string();
    let reason = message.lines().last().unwrap_or_default().trim();
    PatternError::Engine(reason.trim_start_matches("error: ").to_owned())
}

/// The value of one matched parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParamValue<'p> {
    Single(&'p str),
    /// `:name*` / `:name+`: the capture split on prefix + suffix, as path-to-regexp does.
    Repeated(Vec<&'p str>),
}

/// The parameters of a successful match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Params<'k, 'p> {
    entries: Vec<(&'k str, ParamValue<'p>)>,
}

impl<'p> Params<'_, 'p> {
    /// The value of parameter `name`; when a name repeats, the last participating group wins, as in
    /// the JavaScript object path-to-regexp fills.
    pub(crate) fn get(&self, name: &str) -> Option<&ParamValue<'p>> {
        self.entries
            .iter()
            .rev()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(pattern: &str) -> PathPattern {
        PathPattern::compile(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    fn source(pattern: &str) -> String {
        compiled(pattern).source().to_owned()
    }

    fn single<'p>(params: &Params<'_, 'p>, name: &str) -> Option<&'p str> {
        match params.get(name)? {
            ParamValue::Single(value) => Some(value),
            ParamValue::Repeated(_) => None,
        }
    }

    #[test]
    fn spec_compiled_examples() {
        assert_eq!(source("/foo"), r"^\/foo[\/#\?]?$");
        assert_eq!(source("/foo(.*)"), r"^\/foo(.*)[\/#\?]?$");
        assert_eq!(
            source("/dashboard/:path*"),
            r"^\/dashboard(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?[\/#\?]?$"
        );
        assert_eq!(source("/api/:id"), r"^\/api(?:\/([^\/#\?]+?))[\/#\?]?$");
    }

    #[test]
    fn sources_for_each_syntax_element() {
        let cases = [
            ("", r"^[\/#\?]?$"),
            ("/", r"^\/[\/#\?]?$"),
            ("/:id?", r"^(?:\/([^\/#\?]+?))?[\/#\?]?$"),
            (
                "/:id+",
                r"^(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))[\/#\?]?$",
            ),
            ("/:id(\\d+)", r"^(?:\/(\d+))[\/#\?]?$"),
            ("/(\\d+)", r"^(?:\/(\d+))[\/#\?]?$"),
            ("/user{s}?", r"^\/user(?:s)?[\/#\?]?$"),
            ("/a{/:b}?", r"^\/a(?:\/([^\/#\?]+?))?[\/#\?]?$"),
            (
                "/a{-:b-}*",
                r"^\/a(?:-((?:(?:(?!-)[^\/#\?])+?)(?:--(?:(?:(?!-)[^\/#\?])+?))*)-)?[\/#\?]?$",
            ),
            (
                "/file.:ext",
                r"^\/file(?:\.((?:(?!\.)[^\/#\?])+?))[\/#\?]?$",
            ),
            (
                "/:from-:to",
                r"^(?:\/([^\/#\?]+?))-((?:(?!-)[^\/#\?])+?)[\/#\?]?$",
            ),
            ("/\\:literal\\*", r"^\/\:literal\*[\/#\?]?$"),
            ("/a.b", r"^\/a\.b[\/#\?]?$"),
            (
                "/orgs/:id/(.*)",
                r"^\/orgs(?:\/([^\/#\?]+?))(?:\/(.*))[\/#\?]?$",
            ),
            ("/(a(?:b|c))", r"^(?:\/(a(?:b|c)))[\/#\?]?$"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(source(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn errors_carry_path_to_regexp_reasons() {
        let cases = [
            ("/:", PatternError::MissingParameterName(1)),
            ("/(?:a)", PatternError::PatternStartsWithQuestionMark(2)),
            ("/(a(b))", PatternError::CapturingGroup(3)),
            ("/(abc", PatternError::UnbalancedPattern(1)),
            ("/()", PatternError::MissingPattern(1)),
            ("/foo\\", PatternError::TrailingEscape(4)),
            (
                "/foo*",
                PatternError::UnexpectedToken {
                    found: TokenKind::Modifier,
                    at: 4,
                    expected: TokenKind::End,
                },
            ),
            (
                "/{abc",
                PatternError::UnexpectedToken {
                    found: TokenKind::End,
                    at: 5,
                    expected: TokenKind::Close,
                },
            ),
            (
                "/a}",
                PatternError::UnexpectedToken {
                    found: TokenKind::Close,
                    at: 2,
                    expected: TokenKind::End,
                },
            ),
            (
                "/:a:b",
                PatternError::MissingTextBetweenParameters("a".into()),
            ),
            (
                "(.*)*",
                PatternError::RepeatWithoutPrefixOrSuffix("0".into()),
            ),
            (
                "{:a}*",
                PatternError::RepeatWithoutPrefixOrSuffix("a".into()),
            ),
            ("/:a-x-:b", PatternError::LookAheadRequired("-x-".into())),
            (
                "/(a(?=b))",
                PatternError::CustomRegex(TranslateError::Unsupported("look-ahead")),
            ),
            (
                "/(\\1)",
                PatternError::CustomRegex(TranslateError::Unsupported(
                    "a back-reference or octal escape",
                )),
            ),
            (
                "/(a(?<n>b))",
                PatternError::CustomRegex(TranslateError::Unsupported("a named capture group")),
            ),
            (
                "/([z-a])",
                PatternError::CustomRegex(TranslateError::Invalid(
                    "range out of order in character class",
                )),
            ),
        ];
        for (pattern, expected) in cases {
            let error = PathPattern::compile(pattern).expect_err(pattern);
            assert_eq!(error, expected, "{pattern}");
        }
        assert!(matches!(
            PathPattern::compile("/(a{3,2})"),
            Err(PatternError::Engine(_))
        ));
    }

    #[test]
    fn params_are_raw_and_named_or_numbered() {
        let pattern = compiled("/orgs/:slug/(.*)");
        let params = pattern.match_params("/orgs/My%20Org/a/b").expect("matches");
        assert_eq!(single(&params, "slug"), Some("My%20Org"));
        assert_eq!(single(&params, "0"), Some("a/b"));
        assert_eq!(params.get("missing"), None);
    }

    #[test]
    fn repeated_params_split_on_prefix_and_suffix() {
        let pattern = compiled("/files/:path+");
        let params = pattern.match_params("/files/a/b/c").expect("matches");
        assert_eq!(
            params.get("path"),
            Some(&ParamValue::Repeated(vec!["a", "b", "c"]))
        );
        let pattern = compiled("/a{-:b-}*");
        let params = pattern.match_params("/a-x--y-").expect("matches");
        assert_eq!(params.get("b"), Some(&ParamValue::Repeated(vec!["x", "y"])));
    }

    #[test]
    fn optional_param_that_does_not_participate_is_absent() {
        let pattern = compiled("/users/:id?");
        let params = pattern.match_params("/users").expect("matches");
        assert_eq!(params.get("id"), None);
    }

    #[test]
    fn last_participating_duplicate_name_wins() {
        let pattern = compiled("/:id/:id");
        let params = pattern.match_params("/first/second").expect("matches");
        assert_eq!(single(&params, "id"), Some("second"));
    }

    #[test]
    fn look_ahead_guard_is_kept_for_single_characters() {
        let pattern = compiled("/:from-:to");
        let params = pattern.match_params("/a-b-c").expect("matches");
        // `(?!-)` keeps "-" out of `to`, so `from` takes the longer share (6.2 gave from="a").
        assert_eq!(single(&params, "from"), Some("a-b"));
        assert_eq!(single(&params, "to"), Some("c"));
        let file = compiled("/file.:ext");
        assert!(file.is_match("/file.PNG"));
        assert!(!file.is_match("/file..png"));
    }
}
