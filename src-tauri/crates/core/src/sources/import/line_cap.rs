//! A reader that hands the CSV parser one physical line at a time, each at most
//! [`MAX_LINE_BYTES`] long. A longer line is skipped without ever being held whole (a 1 GB line
//! costs no more memory than the cap) and [`TOO_LONG`] stands in for it, so the import lists it
//! with its number. Blank lines are left out (the parser would skip them anyway, but then number
//! the next record by the blank line); [`LineCap::physical_line`] turns the parser's line numbers
//! back into the file's.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};

/// The longest line read, in bytes: a shopper's line is far shorter.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The one-cell line that stands in for a line longer than [`MAX_LINE_BYTES`].
pub const TOO_LONG: &str = "\u{0}canopy: line too long";

/// Wraps a reader, capping its lines and leaving out blank ones.
pub struct LineCap<R> {
    inner: BufReader<R>,
    line: Vec<u8>,
    handed: usize,
    /// Lines of the file read so far.
    physical: u64,
    /// Lines handed on so far.
    emitted: u64,
    /// From which handed-on line (1-based) the file's numbering is how many lines ahead.
    shifts: VecDeque<(u64, u64)>,
    shift: u64,
}

impl<R: Read> LineCap<R> {
    /// Caps the lines of `inner`.
    pub fn new(inner: R) -> Self {
        LineCap {
            inner: BufReader::with_capacity(64 * 1024, inner),
            line: Vec::new(),
            handed: 0,
            physical: 0,
            emitted: 0,
            shifts: VecDeque::new(),
            shift: 0,
        }
    }

    /// The file's line number of the line the parser numbers `line`. Asked in increasing order,
    /// it forgets what it no longer needs (the queue is as long as the parser reads ahead).
    pub fn physical_line(&mut self, line: u64) -> u64 {
        while let Some(&(from, shift)) = self.shifts.front() {
            if from > line {
                break;
            }
            self.shift = shift;
            self.shifts.pop_front();
        }
        line + self.shift
    }

    /// Reads the next line worth handing on into `self.line` (empty at the end of the input).
    fn next_line(&mut self) -> io::Result<()> {
        self.handed = 0;
        loop {
            self.line.clear();
            let limit = MAX_LINE_BYTES as u64 + 1;
            if (&mut self.inner)
                .take(limit)
                .read_until(b'\n', &mut self.line)?
                == 0
            {
                return Ok(());
            }
            self.physical += 1;
            if self.line.len() > MAX_LINE_BYTES && self.line.last() != Some(&b'\n') {
                self.skip_rest_of_line()?;
                self.line.clear();
                self.line.extend_from_slice(TOO_LONG.as_bytes());
                self.line.push(b'\n');
            } else if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.emitted += 1;
            let shift = self.physical - self.emitted;
            if shift != self.shifts.back().map_or(0, |&(_, s)| s) {
                self.shifts.push_back((self.emitted, shift));
            }
            return Ok(());
        }
    }

    fn skip_rest_of_line(&mut self) -> io::Result<()> {
        loop {
            let buffer = self.inner.fill_buf()?;
            if buffer.is_empty() {
                return Ok(());
            }
            match buffer.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    self.inner.consume(end + 1);
                    return Ok(());
                }
                None => {
                    let all = buffer.len();
                    self.inner.consume(all);
                }
            }
        }
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.handed == self.line.len() {
            self.next_line()?;
        }
        let n = out.len().min(self.line.len() - self.handed);
        out[..n].copy_from_slice(&self.line[self.handed..self.handed + n]);
        self.handed += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_replaced_blank_lines_left_out_and_numbers_mapped_back() {
        let long = "x".repeat(MAX_LINE_BYTES * 3);
        let exact = "y".repeat(MAX_LINE_BYTES - 1);
        let input = format!("a,b\n\n{long}\n \r\n{exact}\nc,d\n{long}");
        let mut capped = LineCap::new(input.as_bytes());
        let mut out = String::new();
        capped.read_to_string(&mut out).unwrap();
        assert_eq!(out, format!("a,b\n{TOO_LONG}\n{exact}\nc,d\n{TOO_LONG}\n"));
        let lines: Vec<u64> = (1..=5).map(|l| capped.physical_line(l)).collect();
        assert_eq!(lines, [1, 3, 5, 6, 7]);
    }
}
