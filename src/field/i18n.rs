//! The field's words: labels, placeholders and error messages in English, French, German and
//! Spanish, any of which the merchant may override by key.
//!
//! Keys: `number_label`, `number_placeholder`, `exp_label`, `exp_placeholder`, `cvc_label`,
//! `cvc_label_optional` (when the merchant's `cvc` option is `optional`), `cvc_placeholder`,
//! `name_label`, `name_placeholder`, the card rules' error codes
//! (`invalid_number`, `incomplete_number`, `invalid_exp`, `incomplete_exp`, `expired`,
//! `invalid_cvc`, `incomplete_cvc`, `invalid_name`), and the codes of failures after
//! validation (`network_error`, `rate_limited`, `internal`, or any other code the vault sends).

use alloc::{string::String, vec::Vec};

use crate::card::CardError;

/// A language the field speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    /// English, the default.
    #[default]
    En,
    /// French.
    Fr,
    /// German.
    De,
    /// Spanish.
    Es,
}

impl Locale {
    /// The locale of a language tag (`fr`, `fr-CA`, `DE`, `es_419`); `None` for a language
    /// the field does not speak.
    pub fn parse(tag: &str) -> Option<Locale> {
        let bytes = tag.as_bytes();
        if bytes.len() > 2 && !matches!(bytes[2], b'-' | b'_') {
            return None;
        }
        let language = match bytes {
            [a, b, ..] => [a.to_ascii_lowercase(), b.to_ascii_lowercase()],
            _ => return None,
        };
        Some(match &language {
            b"en" => Locale::En,
            b"fr" => Locale::Fr,
            b"de" => Locale::De,
            b"es" => Locale::Es,
            _ => return None,
        })
    }

    /// The language tag, for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::Es => "es",
        }
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => EN,
            Locale::Fr => FR,
            Locale::De => DE,
            Locale::Es => ES,
        }
    }
}

/// English. The card errors' English messages are the card rules' own ([`CardError::message`]).
const EN: &[(&str, &str)] = &[
    ("number_label", "Card number"),
    ("number_placeholder", "1234 1234 1234 1234"),
    ("exp_label", "Expiry date"),
    ("exp_placeholder", "MM / YY"),
    ("cvc_label", "Security code"),
    ("cvc_label_optional", "Security code (optional)"),
    ("cvc_placeholder", "CVC"),
    ("name_label", "Name on card (optional)"),
    ("name_placeholder", ""),
    (
        "network_error",
        "The card could not be sent. Check your connection and try again.",
    ),
    (
        "rate_limited",
        "Too many attempts. Please wait a moment and try again.",
    ),
    ("internal", "Something went wrong. Please try again."),
];

const FR: &[(&str, &str)] = &[
    ("number_label", "Numéro de carte"),
    ("number_placeholder", "1234 1234 1234 1234"),
    ("exp_label", "Date d’expiration"),
    ("exp_placeholder", "MM / AA"),
    ("cvc_label", "Code de sécurité"),
    ("cvc_label_optional", "Code de sécurité (facultatif)"),
    ("cvc_placeholder", "CVC"),
    ("name_label", "Nom sur la carte (facultatif)"),
    ("name_placeholder", ""),
    ("invalid_number", "Le numéro de carte n’est pas valide."),
    ("incomplete_number", "Le numéro de carte est incomplet."),
    ("invalid_exp", "La date d’expiration n’est pas valide."),
    ("incomplete_exp", "La date d’expiration est incomplète."),
    ("expired", "La carte a expiré."),
    ("invalid_cvc", "Le code de sécurité n’est pas valide."),
    ("incomplete_cvc", "Le code de sécurité est incomplet."),
    ("invalid_name", "Le nom sur la carte n’est pas valide."),
    (
        "network_error",
        "La carte n’a pas pu être envoyée. Vérifiez votre connexion et réessayez.",
    ),
    (
        "rate_limited",
        "Trop de tentatives. Patientez un instant puis réessayez.",
    ),
    ("internal", "Une erreur est survenue. Veuillez réessayer."),
];

const DE: &[(&str, &str)] = &[
    ("number_label", "Kartennummer"),
    ("number_placeholder", "1234 1234 1234 1234"),
    ("exp_label", "Ablaufdatum"),
    ("exp_placeholder", "MM / JJ"),
    ("cvc_label", "Sicherheitscode"),
    ("cvc_label_optional", "Sicherheitscode (optional)"),
    ("cvc_placeholder", "CVC"),
    ("name_label", "Name auf der Karte (optional)"),
    ("name_placeholder", ""),
    ("invalid_number", "Die Kartennummer ist ungültig."),
    ("incomplete_number", "Die Kartennummer ist unvollständig."),
    ("invalid_exp", "Das Ablaufdatum ist ungültig."),
    ("incomplete_exp", "Das Ablaufdatum ist unvollständig."),
    ("expired", "Die Karte ist abgelaufen."),
    ("invalid_cvc", "Der Sicherheitscode ist ungültig."),
    ("incomplete_cvc", "Der Sicherheitscode ist unvollständig."),
    ("invalid_name", "Der Name auf der Karte ist ungültig."),
    (
        "network_error",
        "Die Karte konnte nicht gesendet werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    ),
    (
        "rate_limited",
        "Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut.",
    ),
    (
        "internal",
        "Ein Fehler ist aufgetreten. Bitte versuchen Sie es erneut.",
    ),
];

const ES: &[(&str, &str)] = &[
    ("number_label", "Número de tarjeta"),
    ("number_placeholder", "1234 1234 1234 1234"),
    ("exp_label", "Fecha de caducidad"),
    ("exp_placeholder", "MM / AA"),
    ("cvc_label", "Código de seguridad"),
    ("cvc_label_optional", "Código de seguridad (opcional)"),
    ("cvc_placeholder", "CVC"),
    ("name_label", "Nombre en la tarjeta (opcional)"),
    ("name_placeholder", ""),
    ("invalid_number", "El número de tarjeta no es válido."),
    ("incomplete_number", "El número de tarjeta está incompleto."),
    ("invalid_exp", "La fecha de caducidad no es válida."),
    ("incomplete_exp", "La fecha de caducidad está incompleta."),
    ("expired", "La tarjeta ha caducado."),
    ("invalid_cvc", "El código de seguridad no es válido."),
    ("incomplete_cvc", "El código de seguridad está incompleto."),
    ("invalid_name", "El nombre en la tarjeta no es válido."),
    (
        "network_error",
        "No se pudo enviar la tarjeta. Comprueba tu conexión e inténtalo de nuevo.",
    ),
    (
        "rate_limited",
        "Demasiados intentos. Espera un momento e inténtalo de nuevo.",
    ),
    ("internal", "Se ha producido un error. Inténtalo de nuevo."),
];

/// The longest override kept, in chars.
const MAX_OVERRIDE_CHARS: usize = 300;

/// The words of one field: a locale and the merchant's overrides.
#[derive(Debug, Default)]
pub struct Messages {
    locale: Locale,
    overrides: Vec<(String, String)>,
}

impl Messages {
    /// The words in `locale`, with the merchant's `overrides` (key, text) on top. Keys are
    /// lower-case ASCII words; an override longer than 300 chars is cut.
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Messages {
        let overrides = overrides
            .into_iter()
            .filter(|(key, _)| is_key(key))
            .map(|(key, text)| (key, text.chars().take(MAX_OVERRIDE_CHARS).collect()))
            .collect();
        Messages { locale, overrides }
    }

    /// The locale.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`: the merchant's, else the locale's, else English; `None` when no
    /// table has it.
    pub fn text(&self, key: &str) -> Option<&str> {
        let find = |table: &[(&'static str, &'static str)]| {
            table.iter().find(|(k, _)| *k == key).map(|&(_, text)| text)
        };
        self.overrides
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, text)| text.as_str())
            .or_else(|| find(self.locale.table()))
            .or_else(|| find(EN))
    }

    /// The message for a card error.
    pub fn error(&self, error: CardError) -> &str {
        self.text(error.code()).unwrap_or(error.message())
    }
}

/// Whether `key` can name a message: 1 to 40 lower-case ASCII letters and underscores.
pub fn is_key(key: &str) -> bool {
    (1..=40).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD_ERRORS: [CardError; 8] = CardError::ALL;

    #[test]
    fn every_locale_has_every_message() {
        for locale in [Locale::Fr, Locale::De, Locale::Es] {
            let table = locale.table();
            let keys = EN
                .iter()
                .map(|(key, _)| *key)
                .chain(CARD_ERRORS.iter().map(|e| e.code()));
            for key in keys {
                assert!(
                    table.iter().any(|(k, _)| *k == key),
                    "{locale:?} lacks {key}"
                );
            }
            assert_eq!(table.len(), EN.len() + CARD_ERRORS.len(), "{locale:?}");
            for error in CARD_ERRORS {
                let text = Messages::new(locale, Vec::new()).error(error).to_owned();
                assert_ne!(text, error.message(), "{locale:?} {error:?}");
                assert!(!text.chars().any(|c| c.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn english_errors_are_the_card_rules_own() {
        let en = Messages::default();
        for error in CARD_ERRORS {
            assert_eq!(en.error(error), error.message());
        }
        assert_eq!(en.text("number_label"), Some("Card number"));
        assert_eq!(en.text("unknown_key"), None);
    }

    #[test]
    fn locales_from_tags() {
        assert_eq!(Locale::parse("fr"), Some(Locale::Fr));
        assert_eq!(Locale::parse("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("DE"), Some(Locale::De));
        assert_eq!(Locale::parse("es_419"), Some(Locale::Es));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("it"), None);
        assert_eq!(Locale::parse("fra"), None);
        assert_eq!(Locale::parse("f"), None);
        assert_eq!(Locale::parse(""), None);
        assert_eq!(Locale::Fr.tag(), "fr");
    }

    #[test]
    fn overrides_win() {
        let messages = Messages::new(
            Locale::De,
            vec![
                ("invalid_number".into(), "Nummer falsch".into()),
                ("rate_limited".into(), "x".repeat(400)),
                ("Not A Key".into(), "ignored".into()),
            ],
        );
        assert_eq!(messages.error(CardError::InvalidNumber), "Nummer falsch");
        assert_eq!(
            messages.error(CardError::Expired),
            "Die Karte ist abgelaufen."
        );
        assert_eq!(messages.text("rate_limited").map(str::len), Some(300));
        assert_eq!(messages.text("Not A Key"), None);
        assert_eq!(messages.locale(), Locale::De);
    }
}
