//! cwa
