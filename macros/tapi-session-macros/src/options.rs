//! The attribute's arguments: `#[tapi_session]` or
//! `#[tapi_session(on_leak = "release" | "panic" | "abort")]`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;
use syn::meta::ParseNestedMeta;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnLeak {
    #[default]
    Release,
    Panic,
    Abort,
}

impl OnLeak {
    pub fn to_tokens(self) -> TokenStream {
        let variant = match self {
            OnLeak::Release => quote!(Release),
            OnLeak::Panic => quote!(Panic),
            OnLeak::Abort => quote!(Abort),
        };
        quote!(::tapi_session::__private::OnLeak::#variant)
    }
}

#[derive(Default)]
pub struct Options {
    pub on_leak: OnLeak,
    on_leak_span: Option<Span>,
}

pub fn parse(attr: TokenStream) -> syn::Result<Options> {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| options.parse_one(meta));
    syn::parse::Parser::parse2(parser, attr)?;
    Ok(options)
}

impl Options {
    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.path.is_ident("on_leak") {
            if self.on_leak_span.is_some() {
                return Err(meta.error("`on_leak` is given more than once"));
            }
            self.on_leak_span = Some(
                meta.path
                    .get_ident()
                    .map_or_else(Span::call_site, |i| i.span()),
            );
            let value: LitStr = meta.value()?.parse()?;
            self.on_leak = match value.value().as_str() {
                "release" => OnLeak::Release,
                "panic" => OnLeak::Panic,
                "abort" => OnLeak::Abort,
                other => {
                    return Err(syn::Error::new(
                        value.span(),
                        format!(
                            "unknown `on_leak` policy `{other}`; expected \"release\", \"panic\" or \"abort\""
                        ),
                    ));
                }
            };
            Ok(())
        } else {
            let name = meta
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::");
            Err(meta.error(format!(
                "unknown `tapi_session` option `{name}`; the only option is `on_leak = \"release\" | \"panic\" | \"abort\"`"
            )))
        }
    }
}
