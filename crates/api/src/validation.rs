//! Validation rules, shared: the console runs them as the administrator types, the
//! server runs them again and is the authority. Each rule returns the message to show
//! under the field, written for the person filling in the form.

use crate::FieldError;

/// Shortest password the policy accepts (NIST SP 800-63B recommends length over
/// composition rules).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password the policy accepts; Argon2 is fine with more, this bounds the work.
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const NAME_MAX_CHARS: usize = 100;
pub const DISPLAY_NAME_MAX_CHARS: usize = 200;
pub const REASON_MAX_CHARS: usize = 500;
/// Longest search text a list takes.
pub const SEARCH_MAX_CHARS: usize = 200;
/// Most words a search may have (each is a separate index lookup).
pub const SEARCH_MAX_WORDS: usize = 8;
/// Most role ids one request may name (well below the database's limit on bound values).
pub const MAX_ROLE_IDS: usize = 100;

/// A rule's verdict: `Err` carries the message for the field.
pub type Rule = Result<(), String>;

/// Collects field errors of a request body.
#[derive(Debug, Default)]
pub struct Report(Vec<FieldError>);

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `field`'s error, if the rule failed.
    pub fn check(&mut self, field: &str, rule: Rule) -> &mut Self {
        if let Err(message) = rule {
            self.0.push(FieldError::new(field, message));
        }
        self
    }

    /// Runs `rule` on an optional value; absent values pass.
    pub fn check_opt<T: ?Sized>(
        &mut self,
        field: &str,
        value: Option<&T>,
        rule: impl FnOnce(&T) -> Rule,
    ) -> &mut Self {
        if let Some(value) = value {
            self.check(field, rule(value));
        }
        self
    }

    pub fn finish(&mut self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(std::mem::take(&mut self.0))
        }
    }
}

/// Trims a text field; an empty value means "not set".
pub fn clean(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn has_control_chars(value: &str) -> bool {
    value.chars().any(char::is_control)
}

/// An email address as people type them: `local@domain.tld`, no spaces.
pub fn email(value: &str) -> Rule {
    let value = value.trim();
    if value.is_empty() {
        return Err("Enter an email address.".into());
    }
    if value.chars().count() > EMAIL_MAX_CHARS {
        return Err(format!(
            "An email address has at most {EMAIL_MAX_CHARS} characters."
        ));
    }
    let invalid = || Err("Enter an email address like name@example.com.".to_string());
    let Some((local, domain)) = value.rsplit_once('@') else {
        return invalid();
    };
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
    {
        return invalid();
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return invalid();
    }
    Ok(())
}

/// Whether `path` is a path on this site to send a browser back to after signing in.
/// Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so
/// `/\evil.example`, or a slash, a tab and `/evil.example`, would lead to another site.
pub fn is_same_site_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.chars().any(|c| c == '\\' || c.is_control())
}

/// How emails are stored and compared: trimmed and lower-case.
pub fn normalize_email(value: &str) -> String {
    value.trim().to_lowercase()
}

/// An optional sign-in name: 3 to 64 letters, digits, `.`, `_` or `-`.
pub fn username(value: &str) -> Rule {
    let len = value.chars().count();
    if !(3..=64).contains(&len) {
        return Err("A username has 3 to 64 characters.".into());
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err("Use only letters, digits, dots, dashes and underscores.".into());
    }
    Ok(())
}

/// A first or last name.
pub fn person_name(value: &str) -> Rule {
    text(value, NAME_MAX_CHARS)
}

/// A display name.
pub fn display_name(value: &str) -> Rule {
    text(value, DISPLAY_NAME_MAX_CHARS)
}

/// Free text of at most `max` characters on one line.
pub fn text(value: &str, max: usize) -> Rule {
    if value.chars().count() > max {
        return Err(format!("At most {max} characters."));
    }
    if has_control_chars(value) {
        return Err("Remove line breaks and control characters.".into());
    }
    Ok(())
}

/// A phone number: digits with an optional leading `+`, spaces, dashes, dots or brackets.
pub fn phone(value: &str) -> Rule {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(6..=15).contains(&digits) {
        return Err("Enter a phone number like +44 20 7946 0958.".into());
    }
    Ok(())
}

/// A BCP 47 language tag such as `en`, `en-GB` or `pt-BR`.
pub fn locale(value: &str) -> Rule {
    let mut parts = value.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if lang_ok && rest_ok && value.len() <= 35 {
        Ok(())
    } else {
        Err("Enter a language tag like en, en-GB or pt-BR.".into())
    }
}

/// An IANA time zone name such as `Europe/Berlin`, or `UTC`.
pub fn timezone(value: &str) -> Rule {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        && !value.starts_with('/')
        && !value.ends_with('/')
        && value.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if ok {
        Ok(())
    } else {
        Err("Enter a time zone like Europe/Berlin or UTC.".into())
    }
}

/// The password policy: long enough, not too long, not the email.
pub fn password(value: &str, email: &str) -> Rule {
    let len = value.chars().count();
    if len < PASSWORD_MIN_CHARS {
        return Err(format!("Use at least {PASSWORD_MIN_CHARS} characters."));
    }
    if len > PASSWORD_MAX_CHARS {
        return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    if contains_email(value, email) {
        return Err("Do not use your email address in the password.".into());
    }
    if !varied(value) {
        return Err("Use a less repetitive password.".into());
    }
    Ok(())
}

/// Whether the password contains the address, or its part before the `@` (4+ letters).
fn contains_email(value: &str, email: &str) -> bool {
    let lowered = value.to_lowercase();
    let email = normalize_email(email);
    let local = email.split('@').next().unwrap_or_default();
    !email.is_empty() && (lowered.contains(&email) || (local.len() >= 4 && lowered.contains(local)))
}

/// At least five different characters.
fn varied(value: &str) -> bool {
    let mut distinct: Vec<char> = value.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() >= 5
}

/// The password rules one by one, and whether `value` meets each: the checklist shown
/// while someone chooses a password. Together they are exactly [`password`].
pub fn password_checklist(value: &str, email: &str) -> [(String, bool); 3] {
    let len = value.chars().count();
    [
        (
            format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters"),
            (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&len),
        ),
        (
            "Not your email address".to_owned(),
            !value.is_empty() && !contains_email(value, email),
        ),
        ("At least 5 different characters".to_owned(), varied(value)),
    ]
}

/// Search text of a list: bounded in length and words, no control characters.
pub fn search(value: &str) -> Rule {
    if value.chars().count() > SEARCH_MAX_CHARS {
        return Err(format!("Search for at most {SEARCH_MAX_CHARS} characters."));
    }
    if has_control_chars(value) {
        return Err("Remove control characters from the search.".into());
    }
    if value.split_whitespace().count() > SEARCH_MAX_WORDS {
        return Err(format!("Search for at most {SEARCH_MAX_WORDS} words."));
    }
    Ok(())
}

/// A list of ids within the documented maximum.
pub fn id_count(count: usize, max: usize) -> Rule {
    if count > max {
        Err(format!("At most {max} per request."))
    } else {
        Ok(())
    }
}

/// A reason recorded with a status change.
pub fn reason(value: &str) -> Rule {
    if value.chars().count() > REASON_MAX_CHARS {
        return Err(format!("At most {REASON_MAX_CHARS} characters."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "ÄÖ@exämple.de",
            " x@y.io ",
        ] {
            assert_eq!(email(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@c.de",
            "a@b..c",
            "a@-b.c",
            ".a@b.c",
            "a@@b.c",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(email(&format!("{}@example.com", "a".repeat(250))).is_err());
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn usernames() {
        assert!(username("ada.l_ovelace-1").is_ok());
        assert!(username("ab").is_err());
        assert!(username("has space").is_err());
        assert!(username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn passwords() {
        assert!(password("correct horse battery", "ada@example.com").is_ok());
        assert_eq!(
            password("short", ""),
            Err("Use at least 12 characters.".into())
        );
        assert!(password(&"x".repeat(129), "").is_err());
        assert!(password("aaaaaaaaaaaaaaa", "").is_err());
        assert!(password("ada@example.com!!", "ada@example.com").is_err());
        assert!(password("my name is adalovelace", "adalovelace@example.com").is_err());
    }

    #[test]
    fn the_checklist_agrees_with_the_rule() {
        let email = "adalovelace@example.com";
        for candidate in [
            "",
            "short",
            "correct horse battery",
            "aaaaaaaaaaaaaaa",
            "my name is adalovelace",
            &"x".repeat(129),
            &"abcdef".repeat(22),
        ] {
            let all_met = password_checklist(candidate, email)
                .iter()
                .all(|(_, met)| *met);
            assert_eq!(all_met, password(candidate, email).is_ok(), "{candidate:?}");
        }
    }

    #[test]
    fn phones_locales_timezones() {
        assert!(phone("+44 20 7946 0958").is_ok());
        assert!(phone("(555) 123-4567").is_ok());
        assert!(phone("12345").is_err());
        assert!(phone("+1 555 CALL NOW").is_err());
        assert!(phone("1+5551234567").is_err());
        assert!(locale("en").is_ok() && locale("pt-BR").is_ok() && locale("zh-Hant-TW").is_ok());
        assert!(locale("english").is_err() && locale("e").is_err() && locale("en_GB").is_err());
        assert!(timezone("Europe/Berlin").is_ok() && timezone("UTC").is_ok());
        assert!(timezone("europe/berlin").is_err() && timezone("Mars Base").is_err());
    }

    #[test]
    fn text_rejects_control_characters_and_length() {
        assert!(person_name("Ada").is_ok());
        assert!(person_name("Ada\nLovelace").is_err());
        assert!(person_name(&"a".repeat(101)).is_err());
    }

    #[test]
    fn searches_are_bounded() {
        assert!(search("ada lovelace").is_ok());
        assert!(search("nul\0byte").is_err());
        assert!(search(&"a".repeat(201)).is_err());
        assert!(search("a b c d e f g h i").is_err());
        assert!(id_count(100, MAX_ROLE_IDS).is_ok() && id_count(101, MAX_ROLE_IDS).is_err());
    }

    #[test]
    fn report_collects_in_order() {
        let mut r = Report::new();
        r.check("email", email("nope"))
            .check_opt("phone", Some("1"), phone)
            .check_opt::<str>("locale", None, locale);
        let errors = r.finish().unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["email", "phone"]
        );
    }
}
