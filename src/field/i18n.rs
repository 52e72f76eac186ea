//! The field's words: labels, placeholders and error messages in English, French, German,
//! Spanish, Italian, Dutch, Portuguese (Portugal and Brazil), Japanese, Polish and Swedish, any
//! of which the merchant may override by key.
//!
//! Keys ([`KEYS`]): `number_label`, `number_placeholder`, `exp_label`, `exp_placeholder`,
//! `cvc_label`, `cvc_label_optional` (when the merchant's `cvc` option is `optional`),
//! `cvc_placeholder`, `name_label`, `name_placeholder`, the card rules' error codes
//! (`invalid_number`, `incomplete_number`, `invalid_exp`, `incomplete_exp`, `expired`,
//! `invalid_cvc`, `incomplete_cvc`, `invalid_name`), and the codes of failures after
//! validation that a shopper can do something about: `network_error` (the vault could not be
//! reached), `rate_limited`, `unavailable` (also for the vault's `locked`), `stale_envelope` (the
//! device's clock is off) and `internal` (anything else). Every locale is a table with one
//! text for each key, so none falls back to another language.

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
    /// Italian.
    It,
    /// Dutch.
    Nl,
    /// Portuguese as written in Portugal (and for any `pt` tag but Brazil's).
    Pt,
    /// Portuguese as written in Brazil (`pt-BR`).
    PtBr,
    /// Japanese.
    Ja,
    /// Polish.
    Pl,
    /// Swedish.
    Sv,
}

impl Locale {
    /// Every locale, English first.
    pub const ALL: [Locale; 11] = [
        Locale::En,
        Locale::Fr,
        Locale::De,
        Locale::Es,
        Locale::It,
        Locale::Nl,
        Locale::Pt,
        Locale::PtBr,
        Locale::Ja,
        Locale::Pl,
        Locale::Sv,
    ];

    /// The locale of a language tag (`fr`, `fr-CA`, `DE`, `es_419`, `pt-BR`); `None` for a
    /// language the field does not speak.
    pub fn parse(tag: &str) -> Option<Locale> {
        let bytes = tag.as_bytes();
        if bytes.len() > 2 && !matches!(bytes[2], b'-' | b'_') {
            return None;
        }
        let language = match bytes {
            [a, b, ..] => [a.to_ascii_lowercase(), b.to_ascii_lowercase()],
            _ => return None,
        };
        // The second subtag: the region in `pt-BR`.
        let region = tag
            .get(3..)
            .map(|rest| rest.split(['-', '_']).next().unwrap_or(""));
        Some(match &language {
            b"en" => Locale::En,
            b"fr" => Locale::Fr,
            b"de" => Locale::De,
            b"es" => Locale::Es,
            b"it" => Locale::It,
            b"nl" => Locale::Nl,
            b"pt" if region.is_some_and(|r| r.eq_ignore_ascii_case("br")) => Locale::PtBr,
            b"pt" => Locale::Pt,
            b"ja" => Locale::Ja,
            b"pl" => Locale::Pl,
            b"sv" => Locale::Sv,
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
            Locale::It => "it",
            Locale::Nl => "nl",
            Locale::Pt => "pt",
            Locale::PtBr => "pt-BR",
            Locale::Ja => "ja",
            Locale::Pl => "pl",
            Locale::Sv => "sv",
        }
    }

    fn table(self) -> &'static Table {
        match self {
            Locale::En => &EN,
            Locale::Fr => &FR,
            Locale::De => &DE,
            Locale::Es => &ES,
            Locale::It => &IT,
            Locale::Nl => &NL,
            Locale::Pt => &PT,
            Locale::PtBr => &PT_BR,
            Locale::Ja => &JA,
            Locale::Pl => &PL,
            Locale::Sv => &SV,
        }
    }
}

/// The message keys, in the order of every locale's table.
pub const KEYS: [&str; 22] = [
    "number_label",
    "number_placeholder",
    "exp_label",
    "exp_placeholder",
    "cvc_label",
    "cvc_label_optional",
    "cvc_placeholder",
    "name_label",
    "name_placeholder",
    "invalid_number",
    "incomplete_number",
    "invalid_exp",
    "incomplete_exp",
    "expired",
    "invalid_cvc",
    "incomplete_cvc",
    "invalid_name",
    "network_error",
    "rate_limited",
    "unavailable",
    "stale_envelope",
    "internal",
];

/// One locale's texts, one per key of [`KEYS`], in that order: a table cannot lack a key.
type Table = [&'static str; KEYS.len()];

/// English. The card errors' messages are the card rules' own ([`CardError::message`]).
const EN: Table = [
    "Card number",
    "1234 1234 1234 1234",
    "Expiry date",
    "MM / YY",
    "Security code",
    "Security code (optional)",
    "CVC",
    "Name on card (optional)",
    "",
    "The card number is not valid.",
    "The card number is incomplete.",
    "The expiry date is not valid.",
    "The expiry date is incomplete.",
    "The card has expired.",
    "The security code is not valid.",
    "The security code is incomplete.",
    "The name on the card is not valid.",
    "The card could not be sent. Check your connection and try again.",
    "Too many attempts. Please wait a moment and try again.",
    "The service is unavailable right now. Please try again in a few minutes.",
    "Your device’s clock seems to be wrong. Check its date and time, then try again.",
    "Something went wrong. Please try again.",
];

const FR: Table = [
    "Numéro de carte",
    "1234 1234 1234 1234",
    "Date d’expiration",
    "MM / AA",
    "Code de sécurité",
    "Code de sécurité (facultatif)",
    "CVC",
    "Nom sur la carte (facultatif)",
    "",
    "Le numéro de carte n’est pas valide.",
    "Le numéro de carte est incomplet.",
    "La date d’expiration n’est pas valide.",
    "La date d’expiration est incomplète.",
    "La carte a expiré.",
    "Le code de sécurité n’est pas valide.",
    "Le code de sécurité est incomplet.",
    "Le nom sur la carte n’est pas valide.",
    "La carte n’a pas pu être envoyée. Vérifiez votre connexion et réessayez.",
    "Trop de tentatives. Patientez un instant puis réessayez.",
    "Le service est momentanément indisponible. Réessayez dans quelques minutes.",
    "L’horloge de votre appareil semble incorrecte. Vérifiez la date et l’heure, puis réessayez.",
    "Une erreur est survenue. Veuillez réessayer.",
];

const DE: Table = [
    "Kartennummer",
    "1234 1234 1234 1234",
    "Ablaufdatum",
    "MM / JJ",
    "Sicherheitscode",
    "Sicherheitscode (optional)",
    "CVC",
    "Name auf der Karte (optional)",
    "",
    "Die Kartennummer ist ungültig.",
    "Die Kartennummer ist unvollständig.",
    "Das Ablaufdatum ist ungültig.",
    "Das Ablaufdatum ist unvollständig.",
    "Die Karte ist abgelaufen.",
    "Der Sicherheitscode ist ungültig.",
    "Der Sicherheitscode ist unvollständig.",
    "Der Name auf der Karte ist ungültig.",
    "Die Karte konnte nicht gesendet werden. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    "Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut.",
    "Der Dienst ist gerade nicht verfügbar. Bitte versuchen Sie es in einigen Minuten erneut.",
    "Die Uhr Ihres Geräts scheint falsch zu gehen. Prüfen Sie Datum und Uhrzeit und versuchen Sie es erneut.",
    "Ein Fehler ist aufgetreten. Bitte versuchen Sie es erneut.",
];

const ES: Table = [
    "Número de tarjeta",
    "1234 1234 1234 1234",
    "Fecha de caducidad",
    "MM / AA",
    "Código de seguridad",
    "Código de seguridad (opcional)",
    "CVC",
    "Nombre en la tarjeta (opcional)",
    "",
    "El número de tarjeta no es válido.",
    "El número de tarjeta está incompleto.",
    "La fecha de caducidad no es válida.",
    "La fecha de caducidad está incompleta.",
    "La tarjeta ha caducado.",
    "El código de seguridad no es válido.",
    "El código de seguridad está incompleto.",
    "El nombre en la tarjeta no es válido.",
    "No se pudo enviar la tarjeta. Comprueba tu conexión e inténtalo de nuevo.",
    "Demasiados intentos. Espera un momento e inténtalo de nuevo.",
    "El servicio no está disponible en este momento. Inténtalo de nuevo en unos minutos.",
    "El reloj de tu dispositivo parece incorrecto. Comprueba la fecha y la hora e inténtalo de nuevo.",
    "Se ha producido un error. Inténtalo de nuevo.",
];

const IT: Table = [
    "Numero della carta",
    "1234 1234 1234 1234",
    "Data di scadenza",
    "MM / AA",
    "Codice di sicurezza",
    "Codice di sicurezza (facoltativo)",
    "CVC",
    "Nome sulla carta (facoltativo)",
    "",
    "Il numero della carta non è valido.",
    "Il numero della carta è incompleto.",
    "La data di scadenza non è valida.",
    "La data di scadenza è incompleta.",
    "La carta è scaduta.",
    "Il codice di sicurezza non è valido.",
    "Il codice di sicurezza è incompleto.",
    "Il nome sulla carta non è valido.",
    "Impossibile inviare la carta. Controlla la connessione e riprova.",
    "Troppi tentativi. Attendi un momento e riprova.",
    "Il servizio non è disponibile al momento. Riprova tra qualche minuto.",
    "L’orologio del tuo dispositivo sembra errato. Controlla data e ora, poi riprova.",
    "Si è verificato un errore. Riprova.",
];

const NL: Table = [
    "Kaartnummer",
    "1234 1234 1234 1234",
    "Vervaldatum",
    "MM / JJ",
    "Beveiligingscode",
    "Beveiligingscode (optioneel)",
    "CVC",
    "Naam op de kaart (optioneel)",
    "",
    "Het kaartnummer is ongeldig.",
    "Het kaartnummer is onvolledig.",
    "De vervaldatum is ongeldig.",
    "De vervaldatum is onvolledig.",
    "De kaart is verlopen.",
    "De beveiligingscode is ongeldig.",
    "De beveiligingscode is onvolledig.",
    "De naam op de kaart is ongeldig.",
    "De kaart kon niet worden verzonden. Controleer je verbinding en probeer het opnieuw.",
    "Te veel pogingen. Wacht even en probeer het opnieuw.",
    "De dienst is op dit moment niet beschikbaar. Probeer het over een paar minuten opnieuw.",
    "De klok van je apparaat lijkt niet te kloppen. Controleer de datum en tijd en probeer het opnieuw.",
    "Er is iets misgegaan. Probeer het opnieuw.",
];

const PT: Table = [
    "Número do cartão",
    "1234 1234 1234 1234",
    "Data de validade",
    "MM / AA",
    "Código de segurança",
    "Código de segurança (opcional)",
    "CVC",
    "Nome no cartão (opcional)",
    "",
    "O número do cartão não é válido.",
    "O número do cartão está incompleto.",
    "A data de validade não é válida.",
    "A data de validade está incompleta.",
    "O cartão expirou.",
    "O código de segurança não é válido.",
    "O código de segurança está incompleto.",
    "O nome no cartão não é válido.",
    "Não foi possível enviar o cartão. Verifique a sua ligação e tente novamente.",
    "Demasiadas tentativas. Aguarde um momento e tente novamente.",
    "O serviço está indisponível neste momento. Tente novamente dentro de alguns minutos.",
    "O relógio do seu dispositivo parece estar errado. Verifique a data e a hora e tente novamente.",
    "Ocorreu um erro. Tente novamente.",
];

const PT_BR: Table = [
    "Número do cartão",
    "1234 1234 1234 1234",
    "Data de validade",
    "MM / AA",
    "Código de segurança",
    "Código de segurança (opcional)",
    "CVC",
    "Nome impresso no cartão (opcional)",
    "",
    "O número do cartão é inválido.",
    "O número do cartão está incompleto.",
    "A data de validade é inválida.",
    "A data de validade está incompleta.",
    "O cartão está vencido.",
    "O código de segurança é inválido.",
    "O código de segurança está incompleto.",
    "O nome no cartão é inválido.",
    "Não foi possível enviar o cartão. Verifique sua conexão e tente novamente.",
    "Muitas tentativas. Aguarde um momento e tente novamente.",
    "O serviço está indisponível no momento. Tente novamente em alguns minutos.",
    "O relógio do seu dispositivo parece estar errado. Confira a data e a hora e tente novamente.",
    "Ocorreu um erro. Tente novamente.",
];

const JA: Table = [
    "カード番号",
    "1234 1234 1234 1234",
    "有効期限",
    "月 / 年",
    "セキュリティコード",
    "セキュリティコード（任意）",
    "CVC",
    "カード名義（任意）",
    "",
    "カード番号が正しくありません。",
    "カード番号が最後まで入力されていません。",
    "有効期限が正しくありません。",
    "有効期限が最後まで入力されていません。",
    "カードの有効期限が切れています。",
    "セキュリティコードが正しくありません。",
    "セキュリティコードが最後まで入力されていません。",
    "カード名義が正しくありません。",
    "カード情報を送信できませんでした。接続を確認して、もう一度お試しください。",
    "試行回数が多すぎます。しばらく待ってから、もう一度お試しください。",
    "現在サービスをご利用いただけません。数分後にもう一度お試しください。",
    "お使いの端末の時計が正しくないようです。日付と時刻を確認して、もう一度お試しください。",
    "エラーが発生しました。もう一度お試しください。",
];

const PL: Table = [
    "Numer karty",
    "1234 1234 1234 1234",
    "Data ważności",
    "MM / RR",
    "Kod zabezpieczający",
    "Kod zabezpieczający (opcjonalnie)",
    "CVC",
    "Imię i nazwisko na karcie (opcjonalnie)",
    "",
    "Numer karty jest nieprawidłowy.",
    "Numer karty jest niepełny.",
    "Data ważności jest nieprawidłowa.",
    "Data ważności jest niepełna.",
    "Karta straciła ważność.",
    "Kod zabezpieczający jest nieprawidłowy.",
    "Kod zabezpieczający jest niepełny.",
    "Imię i nazwisko na karcie są nieprawidłowe.",
    "Nie udało się wysłać karty. Sprawdź połączenie i spróbuj ponownie.",
    "Zbyt wiele prób. Odczekaj chwilę i spróbuj ponownie.",
    "Usługa jest teraz niedostępna. Spróbuj ponownie za kilka minut.",
    "Zegar Twojego urządzenia wydaje się nieprawidłowy. Sprawdź datę i godzinę, a potem spróbuj ponownie.",
    "Wystąpił błąd. Spróbuj ponownie.",
];

const SV: Table = [
    "Kortnummer",
    "1234 1234 1234 1234",
    "Utgångsdatum",
    "MM / ÅÅ",
    "Säkerhetskod",
    "Säkerhetskod (valfritt)",
    "CVC",
    "Namn på kortet (valfritt)",
    "",
    "Kortnumret är ogiltigt.",
    "Kortnumret är ofullständigt.",
    "Utgångsdatumet är ogiltigt.",
    "Utgångsdatumet är ofullständigt.",
    "Kortet har gått ut.",
    "Säkerhetskoden är ogiltig.",
    "Säkerhetskoden är ofullständig.",
    "Namnet på kortet är ogiltigt.",
    "Kortet kunde inte skickas. Kontrollera din anslutning och försök igen.",
    "För många försök. Vänta en stund och försök igen.",
    "Tjänsten är inte tillgänglig just nu. Försök igen om några minuter.",
    "Klockan på din enhet verkar gå fel. Kontrollera datum och tid och försök igen.",
    "Något gick fel. Försök igen.",
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

    /// The same overrides in another locale.
    pub fn set_locale(&mut self, locale: Locale) {
        self.locale = locale;
    }

    /// The same locale with other overrides (in place of the previous ones).
    pub fn set_overrides(&mut self, overrides: Vec<(String, String)>) {
        *self = Messages::new(self.locale, overrides);
    }

    /// The text for `key`: the merchant's, else the locale's; `None` for a key not in [`KEYS`]
    /// that the merchant did not give.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.overrides
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, text)| text.as_str())
            .or_else(|| {
                let i = KEYS.iter().position(|k| *k == key)?;
                Some(self.locale.table()[i])
            })
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

    /// Keys whose text is the same in every language: digits and the brand-neutral "CVC".
    const NEUTRAL: [&str; 3] = ["number_placeholder", "cvc_placeholder", "name_placeholder"];

    #[test]
    fn every_locale_has_every_key_in_its_own_words() {
        for (i, key) in KEYS.iter().enumerate() {
            assert!(is_key(key), "{key}");
            assert!(!KEYS[..i].contains(key), "{key} twice");
        }
        // Every error the card rules give has its key, so no locale shows the English message.
        for error in CARD_ERRORS {
            assert!(KEYS.contains(&error.code()), "{error:?}");
        }
        let english = Messages::default();
        for locale in Locale::ALL {
            let messages = Messages::new(locale, Vec::new());
            for key in KEYS {
                let text = messages
                    .text(key)
                    .unwrap_or_else(|| panic!("{locale:?} lacks {key}"));
                let english = english.text(key).unwrap_or_default();
                assert_eq!(text.is_empty(), english.is_empty(), "{locale:?} {key}");
                assert_eq!(text.trim(), text, "{locale:?} {key}");
                if locale != Locale::En && !NEUTRAL.contains(&key) {
                    assert_ne!(text, english, "{locale:?} {key} is English");
                }
                if key != "number_placeholder" {
                    // The page hears these texts in `change`, which never holds a digit.
                    assert!(
                        !text.chars().any(|c| c.is_ascii_digit()),
                        "{locale:?} {key}"
                    );
                }
            }
            for error in CARD_ERRORS {
                if locale != Locale::En {
                    assert_ne!(
                        messages.error(error),
                        error.message(),
                        "{locale:?} {error:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_locale_by_its_tag() {
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.tag()), Some(locale), "{locale:?}");
        }
        // Brazil's Portuguese is its own table, not Portugal's.
        let (pt, br) = (Locale::Pt.table(), Locale::PtBr.table());
        assert_ne!(pt, br);
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
        assert_eq!(Locale::parse("it-CH"), Some(Locale::It));
        assert_eq!(Locale::parse("nl-BE"), Some(Locale::Nl));
        assert_eq!(Locale::parse("pt"), Some(Locale::Pt));
        assert_eq!(Locale::parse("pt-PT"), Some(Locale::Pt));
        assert_eq!(Locale::parse("pt-AO"), Some(Locale::Pt));
        assert_eq!(Locale::parse("pt-BR"), Some(Locale::PtBr));
        assert_eq!(Locale::parse("pt_br"), Some(Locale::PtBr));
        assert_eq!(Locale::parse("pt-BRA"), Some(Locale::Pt));
        assert_eq!(Locale::parse("ja-JP"), Some(Locale::Ja));
        assert_eq!(Locale::parse("pl"), Some(Locale::Pl));
        assert_eq!(Locale::parse("sv-FI"), Some(Locale::Sv));
        assert_eq!(Locale::parse("zh"), None);
        assert_eq!(Locale::parse("fra"), None);
        assert_eq!(Locale::parse("f"), None);
        assert_eq!(Locale::parse(""), None);
        assert_eq!(Locale::Fr.tag(), "fr");
        assert_eq!(Locale::PtBr.tag(), "pt-BR");
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
