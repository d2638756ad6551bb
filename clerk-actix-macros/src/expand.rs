//! Rewriting a handler so the guard runs before anything else.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::spanned::Spanned as _;
use syn::{AttrStyle, FnArg, Ident, ImplItemFn, PatType, ReturnType};

use crate::args::{Errors, GuardArgs, Kind};

/// Expands one guard attribute. On any error the handler is emitted unchanged next to the
/// errors, so the rest of the crate still type-checks and IDEs keep working.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    match guard_handler(kind, args, item.clone()) {
        Ok(tokens) => tokens,
        Err(errors) => {
            let errors = errors.into_compile_error();
            quote!(#item #errors)
        }
    }
}

fn guard_handler(kind: Kind, args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let guard = GuardArgs::parse(kind, args)
        .map_err(|err| errors.push(err))
        .ok();
    let handler = syn::parse2::<ImplItemFn>(item)
        .map_err(|err| {
            errors.push(syn::Error::new(
                err.span(),
                format!(
                    "`#[{}]` applies to an `async fn` handler: {err}",
                    kind.attribute()
                ),
            ));
        })
        .ok();
    if let Some(handler) = &handler {
        check_signature(kind, handler, &mut errors);
    }
    errors.into_result()?;
    match (guard, handler) {
        (Some(guard), Some(handler)) => Ok(rewrite(&guard, handler)),
        _ => Err(syn::Error::new(
            Span::call_site(),
            "invalid guard attribute",
        )),
    }
}

fn check_signature(kind: Kind, handler: &ImplItemFn, errors: &mut Errors) {
    let sig = &handler.sig;
    let attribute = kind.attribute();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            format!("`#[{attribute}]` applies to `async fn` handlers; make this function `async`"),
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new(
            constness.span,
            format!("`#[{attribute}]` cannot guard a `const fn`"),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a handler cannot be variadic",
        ));
    }
    if matches!(sig.output, ReturnType::Default) {
        errors.push(syn::Error::new(
            sig.ident.span(),
            "a handler must return a response (e.g. `impl Responder`, `HttpResponse` or `Result<_, E>`); add a return type",
        ));
    }
    for input in &sig.inputs {
        if let FnArg::Typed(PatType { ty, .. }) = input
            && contains_impl_trait(ty.to_token_stream())
        {
            errors.push(syn::Error::new(
                ty.span(),
                "a guarded handler extracts each parameter by its type: name the type instead of `impl Trait`",
            ));
        }
    }
}

/// Whether the tokens of a type mention `impl Trait`, which cannot be named in a turbofish.
fn contains_impl_trait(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "impl",
        TokenTree::Group(group) => contains_impl_trait(group.stream()),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    })
}

/// The handler, now taking the whole request: it runs the guard, then extracts the original
/// parameters in order, then runs the original body. The return type `R` becomes
/// `Result<R, actix_web::Error>`.
fn rewrite(guard: &GuardArgs, handler: ImplItemFn) -> TokenStream {
    let ImplItemFn {
        attrs,
        vis,
        modifiers,
        mut sig,
        block,
    } = handler;
    let defaultness = modifiers.defaultness;
    let (outer_attrs, inner_attrs): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Outer));
    // Mixed-site names cannot clash with anything the handler's body names.
    let request = Ident::new("__clerk_actix_request", Span::mixed_site());
    let extracted = Ident::new("__clerk_actix_extracted", Span::mixed_site());

    let mut receiver = None;
    let mut params = Vec::new();
    for input in std::mem::take(&mut sig.inputs) {
        match input {
            FnArg::Receiver(self_param) => receiver = Some(self_param),
            FnArg::Typed(param) => params.push(param),
        }
    }
    if let Some(receiver) = receiver {
        sig.inputs.push(FnArg::Receiver(receiver));
    }
    sig.inputs
        .push(syn::parse_quote!(#request: ::clerk_actix::__private::RequestParts));

    let output = match &sig.output {
        ReturnType::Type(_, ty) => ty.to_token_stream(),
        ReturnType::Default => quote!(()),
    };
    let body = if contains_impl_trait(output.clone()) {
        quote!(async move #block.await)
    } else {
        // Gives the body its declared type so `?` inside converts errors as before.
        quote!(::clerk_actix::__private::with_output::<#output, _>(async move #block).await)
    };
    sig.output =
        syn::parse_quote!(-> ::core::result::Result<#output, ::clerk_actix::__private::Error>);

    let types = params.iter().map(|param| &param.ty);
    let bindings = params.iter().enumerate().map(|(index, param)| {
        let PatType { attrs, pat, .. } = param;
        let index = syn::Index::from(index);
        quote!(#(#attrs)* let #pat = #extracted.#index;)
    });
    let guard = guard.guard();
    quote! {
        #(#outer_attrs)*
        #vis #defaultness #sig {
            #(#inner_attrs)*
            #request.check(&#guard)?;
            let #extracted = #request.extract::<(#(#types,)*)>().await?;
            #(#bindings)*
            ::core::result::Result::Ok(#body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impl_trait_is_found_at_any_depth() {
        assert!(contains_impl_trait(quote!(impl Responder)));
        assert!(contains_impl_trait(quote!(Result<impl Responder, Error>)));
        assert!(contains_impl_trait(quote!((u8, Vec<impl Sized>))));
        assert!(!contains_impl_trait(
            quote!(Result<HttpResponse, MyImplError>)
        ));
    }

    #[test]
    fn errors_keep_the_original_item() {
        let item = quote!(
            fn not_async() -> String {
                String::new()
            }
        );
        let expanded = expand(Kind::Auth, TokenStream::new(), item).to_string();
        assert!(expanded.starts_with("fn not_async"), "{expanded}");
        assert!(expanded.contains("compile_error"), "{expanded}");
        assert!(
            expanded.contains("make this function `async`"),
            "{expanded}"
        );
    }

    #[test]
    fn guarded_handlers_check_then_extract_then_run_the_body() {
        let item = quote! {
            /// Docs stay.
            #[get("/")]
            async fn handler(path: Path<u32>, mut body: Json<Value>) -> impl Responder { "ok" }
        };
        let expanded = expand(Kind::OrgRole, quote!("admin", redirect = false), item).to_string();
        for expected in [
            "# [doc = r\" Docs stay.\"] # [get (\"/\")] async fn handler",
            "RequestParts) -> :: core :: result :: Result < impl Responder , :: clerk_actix :: __private :: Error >",
            "Has :: default () . and_role (\"admin\"))) . redirect (false)) ?",
            "extract :: < (Path < u32 > , Json < Value > ,) > () . await ?",
            "let mut body = __clerk_actix_extracted . 1 ;",
            "Ok (async move { \"ok\" } . await)",
        ] {
            assert!(expanded.contains(expected), "{expected}\nin\n{expanded}");
        }
    }

    #[test]
    fn argument_errors_are_all_reported() {
        let args = quote!(
            role = "",
            permission = "invoices",
            colour = "red",
            redirect = true,
            redirect = false
        );
        let item = quote!(
            async fn handler() -> String {
                String::new()
            }
        );
        let expanded = expand(Kind::Protect, args, item).to_string();
        for expected in [
            "invalid role",
            "invalid permission",
            "unknown argument `colour`",
            "`redirect` is given more than once",
        ] {
            assert!(expanded.contains(expected), "{expected}\nin\n{expanded}");
        }
    }
}
