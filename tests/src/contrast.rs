//! WCAG contrast from the colours the real app computes (`getComputedStyle`): CSS colours
//! parsed, laid over what is beneath them, and compared by relative luminance.

/// A colour in sRGB, channels 0–255, alpha 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba {
    pub r: f64,
    pub g: f64,
    pub b: f64,
    pub a: f64,
}

impl Rgba {
    pub const WHITE: Rgba = Rgba {
        r: 255.0,
        g: 255.0,
        b: 255.0,
        a: 1.0,
    };

    /// This colour painted over `below` (which is taken as opaque).
    pub fn over(self, below: Rgba) -> Rgba {
        let mix = |top: f64, bottom: f64| top * self.a + bottom * (1.0 - self.a);
        Rgba {
            r: mix(self.r, below.r),
            g: mix(self.g, below.g),
            b: mix(self.b, below.b),
            a: 1.0,
        }
    }

    /// Whether nothing of it shows.
    pub fn is_transparent(self) -> bool {
        self.a <= 0.0
    }
}

impl std::fmt::Display for Rgba {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.a >= 1.0 {
            write!(
                f,
                "#{:02x}{:02x}{:02x}",
                self.r.round() as u8,
                self.g.round() as u8,
                self.b.round() as u8
            )
        } else {
            write!(
                f,
                "rgba({}, {}, {}, {:.2})",
                self.r.round(),
                self.g.round(),
                self.b.round(),
                self.a
            )
        }
    }
}

/// A colour as `getComputedStyle` gives it: `rgb(r, g, b)`, `rgba(r, g, b, a)` (commas or
/// spaces, an alpha after `/` too), `transparent`, or `#rrggbb`.
pub fn parse_color(css: &str) -> Option<Rgba> {
    let css = css.trim();
    if css.eq_ignore_ascii_case("transparent") {
        return Some(Rgba {
            r: 0.0,
            g: 0.0,
            b: 0.0,
            a: 0.0,
        });
    }
    if let Some(hex) = css.strip_prefix('#') {
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        if hex.len() == 6 {
            return Some(Rgba {
                r: f64::from(channel(0)?),
                g: f64::from(channel(2)?),
                b: f64::from(channel(4)?),
                a: 1.0,
            });
        }
        return None;
    }
    let inner = css
        .strip_prefix("rgba(")
        .or_else(|| css.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let numbers: Vec<f64> = inner
        .split(|c: char| c == ',' || c == '/' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_suffix('%') {
            Some(p) => p.parse::<f64>().map(|v| v / 100.0),
            None => s.parse::<f64>(),
        })
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers.as_slice() {
        [r, g, b] => Some(Rgba {
            r: *r,
            g: *g,
            b: *b,
            a: 1.0,
        }),
        [r, g, b, a] => Some(Rgba {
            r: *r,
            g: *g,
            b: *b,
            a: *a,
        }),
        _ => None,
    }
}

/// Splits a CSS list at its top-level commas (not those inside `rgb(…)`).
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// The colours of the visible shadows of a computed `box-shadow` (`none`, or shadows such
/// as `rgb(29, 58, 110) 4px 0px 0px 0px inset`): a shadow with no offset, blur or spread
/// paints nothing and is left out.
pub fn shadow_colors(box_shadow: &str) -> Vec<Rgba> {
    if box_shadow.trim() == "none" {
        return Vec::new();
    }
    split_top_level(box_shadow)
        .into_iter()
        .filter_map(|shadow| {
            let (color, rest) = match shadow.find("rgb") {
                Some(start) => {
                    let end = start + shadow[start..].find(')')? + 1;
                    (
                        parse_color(&shadow[start..end])?,
                        format!("{} {}", &shadow[..start], &shadow[end..]),
                    )
                }
                None => return None,
            };
            let paints = rest
                .split_whitespace()
                .filter_map(|w| w.strip_suffix("px"))
                .filter_map(|n| n.parse::<f64>().ok())
                .any(|n| n != 0.0);
            (paints && !color.is_transparent()).then_some(color)
        })
        .collect()
}

/// The relative luminance of an opaque sRGB colour (WCAG 2.x; the 0.04045 threshold of
/// the sRGB standard, which WCAG 2.2 notes as the exact value).
pub fn relative_luminance(c: Rgba) -> f64 {
    let linear = |channel: f64| {
        let s = channel / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
}

/// The WCAG contrast ratio of two opaque colours, from 1 to 21.
pub fn contrast_ratio(a: Rgba, b: Rgba) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// The colour an element's background shows: its own and its ancestors' background colours
/// (the element first), laid one over the other on a white canvas.
pub fn flatten(backgrounds_from_element_up: &[Rgba]) -> Rgba {
    backgrounds_from_element_up
        .iter()
        .rev()
        .fold(Rgba::WHITE, |below, c| c.over(below))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Rgba {
        parse_color(s).unwrap()
    }

    #[test]
    fn black_on_white_is_21_and_a_colour_on_itself_is_1() {
        assert!((contrast_ratio(hex("#000000"), hex("#ffffff")) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(hex("#1d3a6e"), hex("#1d3a6e")) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn known_ratios() {
        // #767676 on white is the classic 4.54:1; the order does not matter.
        let grey = contrast_ratio(hex("#767676"), hex("#ffffff"));
        assert!((grey - 4.54).abs() < 0.01, "{grey}");
        assert_eq!(
            contrast_ratio(hex("#ffffff"), hex("#767676")),
            contrast_ratio(hex("#767676"), hex("#ffffff"))
        );
        // The app's accent on its soft accent background.
        let accent = contrast_ratio(hex("#1d3a6e"), hex("#e7edf7"));
        assert!(accent > 9.0 && accent < 11.0, "{accent}");
    }

    #[test]
    fn computed_colours_parse() {
        assert_eq!(parse_color("rgb(29, 58, 110)"), Some(hex("#1d3a6e")));
        let half = parse_color("rgba(0, 0, 0, 0.5)").unwrap();
        assert_eq!(half.a, 0.5);
        assert_eq!(parse_color("rgb(0 0 0 / 50%)").unwrap().a, 0.5);
        assert!(parse_color("transparent").unwrap().is_transparent());
        assert_eq!(parse_color("currentcolor"), None);
    }

    #[test]
    fn translucent_backgrounds_are_laid_over_what_is_beneath() {
        let half_black = parse_color("rgba(0, 0, 0, 0.5)").unwrap();
        let grey = flatten(&[half_black, Rgba::WHITE]);
        assert!((grey.r - 127.5).abs() < 1e-9);
        let transparent = parse_color("rgba(0, 0, 0, 0)").unwrap();
        assert_eq!(flatten(&[transparent, hex("#e7edf7")]), hex("#e7edf7"));
    }

    #[test]
    fn only_shadows_that_paint_count() {
        assert!(shadow_colors("none").is_empty());
        assert_eq!(
            shadow_colors("rgb(29, 58, 110) 4px 0px 0px 0px inset"),
            vec![hex("#1d3a6e")]
        );
        assert_eq!(
            shadow_colors(
                "rgb(164, 16, 28) 4px 0px 0px 0px inset, rgba(0, 0, 0, 0) 0px 0px 0px 0px"
            ),
            vec![hex("#a4101c")]
        );
        assert_eq!(
            shadow_colors("inset 0px 0px 0px 2px rgb(0, 0, 0)"),
            vec![hex("#000000")]
        );
    }
}
