//! The stylesheets as shipped: without comments and spacing (about 15% less to fetch
//! after brotli). trunk copies them as written; its own minifier would also rewrite
//! index.html's `<base href="/" />`, the line the path-prefix deploy recipe edits.

use std::fs;
use std::path::Path;

use crate::split::{hashed_name, integrity, read, write};
use crate::Result;

/// `css` without comments, with runs of white space made one space, and no space or
/// last semicolon where a brace, semicolon or comma makes them useless. Strings are
/// kept as written.
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    let tight = |out: &String| out.is_empty() || out.ends_with(['{', '}', ';', ',']);
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = '\0';
                for c in chars.by_ref() {
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            '{' | '}' | ';' | ',' => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                space = false;
            }
            c => {
                if space && !tight(&out) {
                    out.push(' ');
                }
                space = false;
                out.push(c);
                if c == '"' || c == '\'' {
                    while let Some(inside) = chars.next() {
                        out.push(inside);
                        if inside == '\\' {
                            out.extend(chars.next());
                        } else if inside == c {
                            break;
                        }
                    }
                }
            }
        }
    }
    out
}

/// Minifies every stylesheet in `dist/`, names it by its new content and points
/// index.html at it (name and integrity hash).
pub fn minify_all(dist: &Path) -> Result {
    let index_path = dist.join("index.html");
    let mut index =
        String::from_utf8(read(&index_path)?).map_err(|_| "index.html is not UTF-8".to_owned())?;
    let sheets = fs::read_dir(dist)
        .map_err(|e| format!("reading {}: {e}", dist.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "css"));
    for path in sheets {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("a stylesheet without a name")?
            .to_owned();
        let stem = name
            .rsplit_once('-')
            .map(|(stem, _)| stem)
            .ok_or_else(|| format!("{name} is not named by its content"))?;
        let original = read(&path)?;
        let css =
            String::from_utf8(original.clone()).map_err(|_| format!("{name} is not UTF-8"))?;
        let minified = minify(&css);
        let new_name = hashed_name(stem, "css", minified.as_bytes());
        for (from, to) in [
            (format!("\"./{name}\""), format!("\"./{new_name}\"")),
            (integrity(&original), integrity(minified.as_bytes())),
        ] {
            if index.matches(&from).count() != 1 {
                return Err(format!("index.html does not name {from} exactly once"));
            }
            index = index.replace(&from, &to);
        }
        fs::remove_file(&path).map_err(|e| format!("removing {}: {e}", path.display()))?;
        write(&dist.join(&new_name), minified.as_bytes())?;
    }
    write(&index_path, index.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn comments_and_spacing_go_and_meaning_stays() {
        let css = "/* The list */\n.list  > li ,\n.grid a:hover {\n  margin: 0 auto;\n  \
                   width: calc(100% - 2rem);\n}\n\n@media (prefers-color-scheme: dark) {\n  \
                   :root { --ink: #eee; }\n}\n";
        assert_eq!(
            minify(css),
            ".list > li,.grid a:hover{margin: 0 auto;width: calc(100% - 2rem)}@media \
             (prefers-color-scheme: dark){:root{--ink: #eee}}"
        );
    }

    #[test]
    fn strings_are_kept_as_written() {
        let css = ".step::before { content: counter(step) \".  \"; }\n\
                   [title='a /* b */ c'] { content: \"\\\"  ;\" }";
        assert_eq!(
            minify(css),
            ".step::before{content: counter(step) \".  \"}[title='a /* b */ c']{content: \
             \"\\\"  ;\"}"
        );
    }
}
