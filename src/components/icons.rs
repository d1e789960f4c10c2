//! The handful of inline SVG icons the console uses (no icon font to download).
//! Decorative: hidden from screen readers, which read the adjacent label instead.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Users,
    Search,
    Sun,
    Moon,
    SignOut,
    Plus,
    Alert,
    Check,
    Close,
    ArrowUp,
    ArrowDown,
    Shield,
    Group,
    Sliders,
    Mail,
    Key,
    ChevronDown,
    SignIn,
}

impl Icon {
    fn path(self) -> &'static str {
        match self {
            Icon::Users => "M16 19v-1.5a3.5 3.5 0 0 0-3.5-3.5h-5A3.5 3.5 0 0 0 4 17.5V19M10 10.5a3 3 0 1 0 0-6 3 3 0 0 0 0 6M20 19v-1.5a3.5 3.5 0 0 0-2.5-3.35M15.5 4.65a3 3 0 0 1 0 5.7",
            Icon::Search => "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14M20 20l-4-4",
            Icon::Sun => "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4",
            Icon::Moon => "M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5",
            Icon::SignOut => "M15 17l5-5-5-5M20 12H9M12 20H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h7",
            Icon::Plus => "M12 5v14M5 12h14",
            Icon::Alert => "M12 9v4M12 17h.01M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0",
            Icon::Check => "M5 12l5 5L20 7",
            Icon::Close => "M6 6l12 12M18 6L6 18",
            Icon::ArrowUp => "M12 19V5M5 12l7-7 7 7",
            Icon::ArrowDown => "M12 5v14M19 12l-7 7-7-7",
            Icon::Shield => "M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10",
            Icon::Group => "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z",
            Icon::Sliders => "M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M16 4v4M10 10v4M18 16v4",
            Icon::Mail => "M4 6h16v12H4zM4 7l8 6 8-6",
            Icon::Key => "M2 18v3h3l7.3-7.3a5 5 0 1 0-3-3L2 18M16.5 7.5h.01",
            Icon::ChevronDown => "M6 9l6 6 6-6",
            Icon::SignIn => "M10 17l5-5-5-5M15 12H3M15 4h4a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-4",
        }
    }
}

#[component]
pub fn Svg(icon: Icon) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="16"
            height="16"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            <path d=icon.path()></path>
        </svg>
    }
}
