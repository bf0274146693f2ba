//! Device files decode a block of samples at a time (a CWA sector, a GENEActiv page); readers
//! hand them out one by one through [`next_sample`], which both share.

use crate::Sample;

/// The block in hand and how far it has been handed out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blocks {
    /// The current block's samples; a reader's decoder replaces them.
    pub(crate) samples: Vec<Sample>,
    position: usize,
    done: bool,
}

/// The next sample of `reader`: from the block in hand, else from the next block `fill` decodes
/// into `blocks(reader).samples` (true when it did, false at the end of the file). Nothing comes
/// after the end or after an error.
pub(crate) fn next_sample<R, E>(
    reader: &mut R,
    blocks: fn(&mut R) -> &mut Blocks,
    fill: fn(&mut R) -> Result<bool, E>,
) -> Option<Result<Sample, E>> {
    loop {
        let b = blocks(reader);
        if let Some(s) = b.samples.get(b.position).copied() {
            b.position += 1;
            return Some(Ok(s));
        }
        if b.done {
            return None;
        }
        let filled = fill(reader);
        let b = blocks(reader);
        b.position = 0;
        match filled {
            Ok(true) => {}
            Ok(false) => {
                b.done = true;
                b.samples.clear();
                return None;
            }
            Err(e) => {
                b.done = true;
                b.samples.clear();
                return Some(Err(e));
            }
        }
    }
}
