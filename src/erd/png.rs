//! PNG from the ERD SVG, with resvg and an embedded subset of DejaVu Sans Mono (the SVG's first
//! font family, so the raster matches the layout's character widths on any machine).
//!
//! Built with the `png` feature (default). Pictures are scaled down to at most
//! [`MAX_SIDE`] pixels on their longer side and [`MAX_PIXELS`] in all, which keeps memory
//! bounded and stays inside what vision models accept.

use crate::error::KdError;

/// Longest side of a PNG, in pixels.
pub const MAX_SIDE: f32 = 8000.0;
/// Most pixels in a PNG.
pub const MAX_PIXELS: f32 = 32_000_000.0;

#[cfg(feature = "png")]
fn fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    use std::sync::{Arc, OnceLock};
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(include_bytes!("../../assets/fonts/DejaVuSansMono-subset.ttf").to_vec());
        db.load_font_data(
            include_bytes!("../../assets/fonts/DejaVuSansMono-Bold-subset.ttf").to_vec(),
        );
        db.set_monospace_family("DejaVu Sans Mono");
        db.set_sans_serif_family("DejaVu Sans Mono");
        Arc::new(db)
    })
    .clone()
}

/// Whether this build can make PNGs.
pub fn available() -> bool {
    cfg!(feature = "png")
}

/// Rasterise `svg` (as produced by [`super::svg::render`]) at `scale` (1.0 = one pixel per SVG
/// unit), reduced as needed to the size limits.
#[cfg(feature = "png")]
pub fn render(svg: &str, scale: f32) -> Result<Vec<u8>, KdError> {
    use resvg::{tiny_skia, usvg};
    let opts = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans Mono".into(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &opts)
        .map_err(|e| KdError::Internal(format!("the ERD SVG does not parse for PNG: {e}")))?;
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    let mut s = scale.max(0.1);
    s = s
        .min(MAX_SIDE / w.max(h))
        .min((MAX_PIXELS / (w * h)).sqrt());
    let (pw, ph) = ((w * s).ceil() as u32, (h * s).ceil() as u32);
    let mut pix = tiny_skia::Pixmap::new(pw.max(1), ph.max(1))
        .ok_or_else(|| KdError::Internal(format!("cannot allocate a {pw}x{ph} picture")))?;
    pix.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(s, s),
        &mut pix.as_mut(),
    );
    pix.encode_png()
        .map_err(|e| KdError::Internal(format!("PNG encoding failed: {e}")))
}

#[cfg(not(feature = "png"))]
pub fn render(_svg: &str, _scale: f32) -> Result<Vec<u8>, KdError> {
    Err(KdError::invalid(
        "this kd-dba was built without the `png` feature; ask for format svg instead",
    ))
}
