//! The coaching core of Retrostride: everything the product decides about backward walking,
//! as pure, deterministic functions with no I/O, no async and no storage concerns.
//!
//! Input arrives already parsed into validated types ([`measure`]); the modules then decide:
//! [`screening`] gives a clearance from a questionnaire, [`plan`] turns a goal and a
//! [`protocol`] from the catalogue into dated sessions of forward and backward blocks,
//! [`progression`] reads logged sessions and says whether the next one advances, holds or steps
//! down, [`energy`] estimates kcal from Compendium METs and the person's body mass, and
//! [`assessment`] interprets outcome tests such as the 3-metre backward walk test. Every figure
//! from the literature is defined once, beside the rule that uses it, and points to a
//! [`evidence::Source`].
//!
//! ```
//! use coach::energy::{estimate, Direction, Edition, EnergyBasis, Surface, Walk};
//!
//! let walk = Walk {
//!     direction: Direction::Backward,
//!     speed: "3.5mph".parse()?,
//!     grade: "5%".parse()?,
//!     surface: Surface::Ground,
//! };
//! let e = estimate(&walk, "10min".parse()?, "64kg".parse()?, Edition::Y2011, EnergyBasis::Gross);
//! assert_eq!(e.kcal.round(), 85.0);
//! # Ok::<(), coach::measure::MeasureError>(())
//! ```

pub mod assessment;
pub mod energy;
pub mod evidence;
pub mod gates;
pub mod measure;
pub mod plan;
pub mod prescription;
pub mod progression;
pub mod protocol;
pub mod schedule;
pub mod screening;
