//! Parsing and checking the arguments of the guard attributes.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::ParseStream;
use syn::spanned::Spanned as _;
use syn::{Ident, LitBool, LitStr, Path, Token, parenthesized};

use crate::name_rules;

/// Which attribute is being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Auth,
    OrgRole,
    Permission,
    Feature,
    Plan,
    Reverification,
    Protect,
}

impl Kind {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Self::Auth => "require_auth",
            Self::OrgRole => "require_org_role",
            Self::Permission => "require_permission",
            Self::Feature => "require_feature",
            Self::Plan => "require_plan",
            Self::Reverification => "require_reverification",
            Self::Protect => "protect",
        }
    }

    /// The leaf the attribute's first argument names, for the `require_<what>` attributes.
    fn positional(self) -> Option<LeafKind> {
        match self {
            Self::OrgRole => Some(LeafKind::Role),
            Self::Permission => Some(LeafKind::Permission),
            Self::Feature => Some(LeafKind::Feature),
            Self::Plan => Some(LeafKind::Plan),
            Self::Reverification => Some(LeafKind::Reverification),
            Self::Auth | Self::Protect => None,
        }
    }
}

/// A `has()` dimension named in an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeafKind {
    Role,
    Permission,
    Feature,
    Plan,
    Reverification,
}

impl LeafKind {
    fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "role" => Self::Role,
            "permission" => Self::Permission,
            "feature" => Self::Feature,
            "plan" => Self::Plan,
            "reverification" => Self::Reverification,
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::Permission => "permission",
            Self::Feature => "feature",
            Self::Plan => "plan",
            Self::Reverification => "reverification",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Role => "\"admin\"",
            Self::Permission => "\"org:invoices:read\"",
            Self::Feature => "\"export\"",
            Self::Plan => "\"pro\"",
            Self::Reverification => "strict",
        }
    }

    /// Parses and checks the value: a string literal, or a preset for reverification.
    fn parse_value(self, input: ParseStream, errors: &mut Errors) -> syn::Result<Leaf> {
        let rule = match self {
            Self::Role => name_rules::role_error,
            Self::Permission => name_rules::permission_error,
            Self::Feature | Self::Plan => name_rules::entitlement_error,
            Self::Reverification => return parse_preset(input, errors),
        };
        let name: LitStr = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                format!(
                    "expected the {} as a string literal, e.g. {}",
                    self.key(),
                    self.example()
                ),
            )
        })?;
        if let Some(why) = rule(&name.value()) {
            errors.push(syn::Error::new(
                name.span(),
                format!("invalid {} {:?}: {why}", self.key(), name.value()),
            ));
        }
        Ok(Leaf {
            kind: self,
            value: name.into_token_stream(),
        })
    }
}

/// One named requirement, its value checked and ready to expand.
#[derive(Clone)]
struct Leaf {
    kind: LeafKind,
    /// The string literal, or the `Reverification` variant path for a preset.
    value: TokenStream,
}

fn parse_preset(input: ParseStream, errors: &mut Errors) -> syn::Result<Leaf> {
    let (name, span) = if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        (lit.value(), lit.span())
    } else {
        let ident: Ident = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                "expected a reverification preset: strict, strict_mfa, moderate or lax",
            )
        })?;
        (ident.to_string(), ident.span())
    };
    if !name_rules::is_reverification_preset(&name) {
        errors.push(syn::Error::new(
            span,
            format!("unknown reverification preset `{name}`: expected strict, strict_mfa, moderate or lax"),
        ));
    }
    // An unknown preset was reported above; any variant keeps the expansion well-formed.
    let variant = match name.as_str() {
        "strict_mfa" => "StrictMfa",
        "moderate" => "Moderate",
        "lax" => "Lax",
        _ => "Strict",
    };
    let variant = Ident::new(variant, span);
    Ok(Leaf {
        kind: LeafKind::Reverification,
        value: quote_spanned!(span=> ::clerk_actix::__private::Reverification::#variant),
    })
}

/// The requirement an attribute reduces to.
enum Requirement {
    SignedIn,
    /// One `has()` check asking for every leaf.
    Has(Vec<Leaf>),
    Any(Vec<Requirement>),
    All(Vec<Requirement>),
}

impl ToTokens for Requirement {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let private = quote!(::clerk_actix::__private);
        tokens.extend(match self {
            Self::SignedIn => quote!(#private::Requirement::SignedIn),
            Self::Has(leaves) => {
                let mut check = quote!(#private::Has::default());
                for Leaf { kind, value } in leaves {
                    let method = Ident::new(&format!("and_{}", kind.key()), Span::call_site());
                    check = quote!(#check.#method(#value));
                }
                quote!(#private::Requirement::Has(#check))
            }
            Self::Any(requirements) => quote!(#private::Requirement::any([#(#requirements),*])),
            Self::All(requirements) => quote!(#private::Requirement::all([#(#requirements),*])),
        });
    }
}

/// How a rejected request is answered.
#[derive(Default)]
struct Options {
    redirect: Option<LitBool>,
    sign_in_url: Option<LitStr>,
    not_found: Option<LitBool>,
    on_reject: Option<Path>,
    token: Option<LitStr>,
}

const OPTIONS: &str = "redirect = <bool>, sign_in_url = \"<url>\", not_found = <bool>, on_reject = <path to fn>, token = \"<session_token|api_key|m2m_token|oauth_token|any>\"";

/// The token kinds `token = "..."` accepts, with the runtime value each stands for.
const TOKEN_KINDS: [(&str, &str); 4] = [
    ("session_token", "SessionToken"),
    ("api_key", "ApiKey"),
    ("m2m_token", "M2mToken"),
    ("oauth_token", "OAuthToken"),
];

impl Options {
    fn is_option(key: &str) -> bool {
        matches!(
            key,
            "redirect" | "sign_in_url" | "not_found" | "on_reject" | "token"
        )
    }

    /// Parses `= value` for the option `key`.
    fn parse_value(
        &mut self,
        key: &Ident,
        input: ParseStream,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        input.parse::<Token![=]>()?;
        let duplicate = match key.to_string().as_str() {
            "redirect" => self.redirect.replace(input.parse()?).is_some(),
            "not_found" => self.not_found.replace(input.parse()?).is_some(),
            "on_reject" => self.on_reject.replace(input.parse()?).is_some(),
            "token" => {
                let kind: LitStr = input.parse()?;
                let value = kind.value();
                if value != "any" && !TOKEN_KINDS.iter().any(|(name, _)| *name == value) {
                    errors.push(syn::Error::new(
                        kind.span(),
                        "unknown token kind: expected \"session_token\", \"api_key\", \"m2m_token\", \"oauth_token\" or \"any\"",
                    ));
                }
                self.token.replace(kind).is_some()
            }
            _ => {
                let url: LitStr = input.parse()?;
                let value = url.value();
                let is_http = ["http://", "https://"].iter().any(|scheme| {
                    value
                        .get(..scheme.len())
                        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
                });
                // `//host/path` is not a path but another host: refuse it.
                let is_path = value.starts_with('/') && !value.starts_with("//");
                let is_valid = (is_path || is_http) && !value.chars().any(char::is_whitespace);
                if !is_valid {
                    errors.push(syn::Error::new(
                        url.span(),
                        "the sign-in URL must be an absolute http(s) URL or a path (starting with one `/`)",
                    ));
                }
                self.sign_in_url.replace(url).is_some()
            }
        };
        if duplicate {
            errors.push(syn::Error::new(
                key.span(),
                format!("`{key}` is given more than once"),
            ));
        }
        Ok(())
    }
}

impl ToTokens for Options {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        if let Some(redirect) = &self.redirect {
            tokens.extend(quote!(.redirect(#redirect)));
        }
        if let Some(url) = &self.sign_in_url {
            tokens.extend(quote!(.sign_in_url(#url)));
        }
        if let Some(not_found) = &self.not_found {
            tokens.extend(quote!(.not_found(#not_found)));
        }
        if let Some(handler) = &self.on_reject {
            tokens.extend(quote_spanned!(handler.span()=> .on_reject(#handler)));
        }
        if let Some(kind) = &self.token {
            let private = quote!(::clerk_actix::__private);
            let value = kind.value();
            let accepts = match TOKEN_KINDS.iter().find(|(name, _)| *name == value) {
                Some((_, variant)) => {
                    let variant = Ident::new(variant, kind.span());
                    quote!(#private::AcceptsToken::Only(#private::TokenType::#variant))
                }
                None => quote!(#private::AcceptsToken::Any),
            };
            tokens.extend(quote_spanned!(kind.span()=> .token(#accepts)));
        }
    }
}

/// Errors found while checking arguments that parse: reported together, after parsing.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn into_result(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }

    /// Every error so far and then `last`.
    pub(crate) fn finish_with(mut self, last: syn::Error) -> syn::Error {
        self.push(last);
        self.0
            .unwrap_or_else(|| syn::Error::new(Span::call_site(), "invalid arguments"))
    }
}

/// An attribute's arguments, checked: the guard to build, as tokens.
pub(crate) struct GuardArgs {
    requirement: Requirement,
    options: Options,
}

impl GuardArgs {
    pub(crate) fn parse(kind: Kind, args: TokenStream) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let parsed = syn::parse::Parser::parse2(
            |input: ParseStream| parse_args(kind, input, &mut errors),
            args,
        );
        match parsed {
            Ok(args) => errors.into_result().map(|()| args),
            Err(err) => Err(errors.finish_with(err)),
        }
    }

    /// `Protect::new(requirement).option(..)…`
    pub(crate) fn guard(&self) -> TokenStream {
        let Self {
            requirement,
            options,
        } = self;
        quote!(::clerk_actix::__private::Protect::new(#requirement)#options)
    }
}

fn parse_args(kind: Kind, input: ParseStream, errors: &mut Errors) -> syn::Result<GuardArgs> {
    let mut options = Options::default();
    let requirement = match kind.positional() {
        Some(leaf) => {
            if input.is_empty() {
                return Err(syn::Error::new(
                    Span::call_site(),
                    format!(
                        "`#[{}]` needs the {}, e.g. `#[{}({})]`",
                        kind.attribute(),
                        leaf.key(),
                        kind.attribute(),
                        leaf.example()
                    ),
                ));
            }
            let leaf = leaf.parse_value(input, errors)?;
            parse_separator(input)?;
            parse_options(kind, input, &mut options, errors)?;
            Requirement::Has(vec![leaf])
        }
        None if kind == Kind::Auth => {
            parse_options(kind, input, &mut options, errors)?;
            Requirement::SignedIn
        }
        None => parse_protect(input, &mut options, errors)?,
    };
    Ok(GuardArgs {
        requirement,
        options,
    })
}

/// A `,` between arguments, unless the arguments end here.
fn parse_separator(input: ParseStream) -> syn::Result<()> {
    if !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

fn parse_options(
    kind: Kind,
    input: ParseStream,
    options: &mut Options,
    errors: &mut Errors,
) -> syn::Result<()> {
    while !input.is_empty() {
        let key: Ident = input.parse()?;
        let name = key.to_string();
        if Options::is_option(&name) {
            options.parse_value(&key, input, errors)?;
        } else {
            let hint = if LeafKind::from_key(&name).is_some() {
                format!("; to require more than one thing, use `#[protect({name} = …, …)]`")
            } else {
                String::new()
            };
            errors.push(syn::Error::new(
                key.span(),
                format!(
                    "unknown option `{name}` for `#[{}]`: expected {OPTIONS}{hint}",
                    kind.attribute()
                ),
            ));
            skip_value(input)?;
        }
        parse_separator(input)?;
    }
    Ok(())
}

/// The body of `#[protect(..)]`: named requirements combine into one `has()` check (each may
/// appear once), next to any `any(..)`/`all(..)` groups, all required.
fn parse_protect(
    input: ParseStream,
    options: &mut Options,
    errors: &mut Errors,
) -> syn::Result<Requirement> {
    let (leaves, mut groups) = parse_items(input, Some(options), errors)?;
    Ok(match (leaves.is_empty(), groups.len()) {
        (true, 0) => Requirement::SignedIn,
        (true, 1) => groups.remove(0),
        (true, _) => Requirement::All(groups),
        (false, 0) => Requirement::Has(leaves),
        (false, _) => {
            groups.insert(0, Requirement::Has(leaves));
            Requirement::All(groups)
        }
    })
}

/// The named requirements and groups of `#[protect(..)]` (with `options`) or of
/// `any(..)`/`all(..)` (without). Inside a group every named requirement stands alone.
fn parse_items(
    input: ParseStream,
    mut options: Option<&mut Options>,
    errors: &mut Errors,
) -> syn::Result<(Vec<Leaf>, Vec<Requirement>)> {
    let top_level = options.is_some();
    let mut leaves: Vec<Leaf> = Vec::new();
    let mut groups = Vec::new();
    while !input.is_empty() {
        let key: Ident = input.parse()?;
        let name = key.to_string();
        if let Some(kind) = LeafKind::from_key(&name) {
            input.parse::<Token![=]>()?;
            let leaf = kind.parse_value(input, errors)?;
            if top_level && leaves.iter().any(|seen| seen.kind == kind) {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("`{name}` is given more than once; for alternatives use `any({name} = …, {name} = …)`"),
                ));
            }
            leaves.push(leaf);
        } else if name == "any" || name == "all" {
            let content;
            parenthesized!(content in input);
            if content.is_empty() {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("`{name}()` needs at least one requirement, e.g. `{name}(role = \"admin\", permission = \"org:invoices:read\")`"),
                ));
            }
            let (inner_leaves, inner_groups) = parse_items(&content, None, errors)?;
            let mut members: Vec<Requirement> = inner_leaves
                .into_iter()
                .map(|leaf| Requirement::Has(vec![leaf]))
                .collect();
            members.extend(inner_groups);
            groups.push(if name == "any" {
                Requirement::Any(members)
            } else {
                Requirement::All(members)
            });
        } else if Options::is_option(&name) {
            match options.as_deref_mut() {
                Some(options) => options.parse_value(&key, input, errors)?,
                None => {
                    errors.push(syn::Error::new(
                        key.span(),
                        format!("`{name}` applies to the whole attribute: move it out of `any(..)`/`all(..)`"),
                    ));
                    skip_value(input)?;
                }
            }
        } else {
            let options_hint = if top_level {
                format!(" or an option ({OPTIONS})")
            } else {
                String::new()
            };
            errors.push(syn::Error::new(
                key.span(),
                format!(
                    "unknown argument `{name}` for `#[protect]`: expected role, permission, feature, plan, reverification, any(..), all(..){options_hint}"
                ),
            ));
            skip_value(input)?;
        }
        parse_separator(input)?;
    }
    Ok((leaves, groups))
}

/// Skips the value of an argument that is reported as unknown, so later arguments are still
/// checked: `= <expr>` or `(<anything>)`.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        input.parse::<syn::Expr>()?;
    } else if input.peek(syn::token::Paren) {
        let content;
        parenthesized!(content in input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}
