//! The literature the product rests on: every source cited to a user is defined here, once.
//!
//! Titles are paraphrased (descriptions of what each study did), not quoted. Each [`Source`] says how well our copy of it was checked ([`Checked`]), so that the product
//! can flag figures it has not seen in the original. Figures themselves live beside the rule
//! that uses them (energy, protocols, assessments), each pointing at one of these sources.

use serde::Serialize;

/// How well a fact was checked before it was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checked {
    /// Checked against the source text (abstract, publisher page or the Compendium's data).
    AgainstSource,
    /// Checked only in a secondary copy that quotes the source.
    SecondaryCopy,
    /// Recalled, not checked: shown to the user with an "unverified" flag.
    Unverified,
    /// Calculated by us from checked figures.
    Derived,
}

impl Checked {
    /// A short phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Checked::AgainstSource => "checked against the source",
            Checked::SecondaryCopy => "checked in a secondary copy of the source",
            Checked::Unverified => "unverified: not yet checked against the source",
            Checked::Derived => "derived by calculation from checked figures",
        }
    }
}

/// A publication (or, for practice advice, the kind of text) that a figure or rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Stable identifier, e.g. `alghadir-2019`.
    pub id: &'static str,
    /// How people cite it in one breath, e.g. "Alghadir et al. 2019".
    pub short: &'static str,
    /// Full reference.
    pub reference: &'static str,
    /// DOI, when known.
    pub doi: Option<&'static str>,
    /// PubMed id, when known.
    pub pmid: Option<&'static str>,
    /// How well our copy was checked.
    pub checked: Checked,
}

impl Source {
    /// A link a person can follow: the DOI resolver, else PubMed, else none.
    pub fn link(&self) -> Option<String> {
        match (self.doi, self.pmid) {
            (Some(doi), _) => Some(format!("https://doi.org/{doi}")),
            (None, Some(pmid)) => Some(format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/")),
            (None, None) => None,
        }
    }

    /// "Short (DOI ...)" for one-line citations in terminal output.
    pub fn citation(&self) -> String {
        match (self.doi, self.pmid) {
            (Some(doi), _) => format!("{} (doi:{doi})", self.short),
            (None, Some(pmid)) => format!("{} (PMID {pmid})", self.short),
            (None, None) => self.short.to_string(),
        }
    }
}

/// 2011 Compendium of Physical Activities.
pub const COMPENDIUM_2011: Source = Source {
    id: "compendium-2011",
    short: "Ainsworth et al. 2011 (Compendium of Physical Activities)",
    reference: "Ainsworth BE et al. 2011 Compendium of Physical Activities: a second update of codes and MET values. Med Sci Sports Exerc 2011;43(8):1575-81.",
    doi: Some("10.1249/MSS.0b013e31821ece12"),
    pmid: None,
    // The MET values were checked in several independent copies; the citation itself is recalled.
    checked: Checked::SecondaryCopy,
};

/// 2024 Adult Compendium of Physical Activities.
pub const COMPENDIUM_2024: Source = Source {
    id: "compendium-2024",
    short: "Herrmann et al. 2024 (Adult Compendium of Physical Activities)",
    reference: "Herrmann SD, Willis EA, Ainsworth BE et al. 2024 Adult Compendium of Physical Activities: a third update of the energy costs of human activities. J Sport Health Sci 2024;13(1):6-12.",
    doi: Some("10.1016/j.jshs.2023.10.010"),
    pmid: None,
    checked: Checked::SecondaryCopy,
};

/// ACSM metabolic equations (GETP 10th edition, Table 6.3, as reproduced by Bushman 2020).
pub const ACSM_EQUATIONS: Source = Source {
    id: "acsm-getp10",
    short: "ACSM's Guidelines for Exercise Testing and Prescription, 10th ed., Table 6.3",
    reference: "American College of Sports Medicine. ACSM's Guidelines for Exercise Testing and Prescription, 10th ed., Table 6.3 (metabolic equations); reproduced in Bushman BA, ACSM's Health & Fitness Journal 2020;24(3).",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Hooper 2004: backward vs forward walking on inclines.
pub const HOOPER_2004: Source = Source {
    id: "hooper-2004",
    short: "Hooper et al. 2004",
    reference: "Hooper TL et al. Backward vs forward walking at 5%, 7.5% and 10% grade (27 adults). J Orthop Sports Phys Ther 2004;34(2):65-71.",
    doi: None,
    pmid: Some("15029939"),
    checked: Checked::AgainstSource,
};

/// Heath 2001: practice lowers the energy cost of backward walking.
pub const HEATH_2001: Source = Source {
    id: "heath-2001",
    short: "Heath et al. 2001",
    reference: "Heath et al. Backward walking practice: 15 min, 3 times a week for 4 weeks at 3.2-3.7 mph (8 healthy men). Phys Ther Sport 2001;2:171.",
    doi: Some("10.1054/ptsp.2001.0057"),
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Flynn 1994: backward running and walking cost more oxygen than forward at the same speed.
pub const FLYNN_1994: Source = Source {
    id: "flynn-1994",
    short: "Flynn et al. 1994",
    reference: "Flynn TW et al. Oxygen uptake, heart rate and lactate walking and running backward and forward at the same speeds (healthy adults). Med Sci Sports Exerc 1994;26(1):89-94.",
    doi: Some("10.1249/00005768-199401000-00015"),
    pmid: Some("8133744"),
    checked: Checked::AgainstSource,
};

/// Alghadir 2019: retro walking for knee osteoarthritis, RCT.
pub const ALGHADIR_2019: Source = Source {
    id: "alghadir-2019",
    short: "Alghadir et al. 2019",
    reference: "Alghadir AH, Anwer S, Sarkar B, Paul AK, Anwar D. Randomised controlled trial of retro walking in knee osteoarthritis. BMC Musculoskelet Disord 2019;20:159.",
    doi: Some("10.1186/s12891-019-2537-9"),
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Chang 2021: backward treadmill walking after chronic stroke.
pub const CHANG_2021: Source = Source {
    id: "chang-2021",
    short: "Chang et al. 2021",
    reference: "Chang KW, Lin CM, Yen CW, Yang CC, Tanaka T, Guo LY. Backward treadmill walking added to physiotherapy after chronic stroke. Int J Environ Res Public Health 2021;18(5):2376.",
    doi: Some("10.3390/ijerph18052376"),
    pmid: Some("33804374"),
    checked: Checked::AgainstSource,
};

/// Rose 2018: backward walking training in acute stroke, pilot RCT.
pub const ROSE_2018: Source = Source {
    id: "rose-2018",
    short: "Rose et al. 2018",
    reference: "Rose DK, DeMark L, Fox EJ, Clark DJ, Wludyka P. Backward walking training in acute stroke: a pilot randomised controlled trial. J Neurol Phys Ther 2018;42(1):12-21.",
    doi: Some("10.1097/NPT.0000000000000210"),
    pmid: Some("29232308"),
    checked: Checked::AgainstSource,
};

/// Terblanche 2005: backward run/walk training in young women.
pub const TERBLANCHE_2005: Source = Source {
    id: "terblanche-2005",
    short: "Terblanche et al. 2005",
    reference: "Terblanche E, Page C, Kroff J, Venter RE. Six-week backward run/walk training in young women. Int J Sports Med 2005;26(3):214-9.",
    doi: Some("10.1055/s-2004-820997"),
    pmid: Some("15776337"),
    checked: Checked::AgainstSource,
};

/// Ansari 2018: back-muscle EMG in backward walking.
pub const ANSARI_2018: Source = Source {
    id: "ansari-2018",
    short: "Ansari et al. 2018",
    reference: "Ansari B, Bhati P, Singla D, Nazish N, Hussain ME. Multifidus and erector spinae activity in forward and backward treadmill walking, with and without chronic low back pain. J Chiropr Med 2018;17(4):217-225.",
    doi: Some("10.1016/j.jcm.2018.03.008"),
    pmid: Some("30846913"),
    checked: Checked::AgainstSource,
};

/// Roos 2012: patellofemoral joint force in backward running.
pub const ROOS_2012: Source = Source {
    id: "roos-2012",
    short: "Roos et al. 2012",
    reference: "Roos PE, Barton N, van Deursen RWM. Patellofemoral joint compression in backward and forward running. J Biomech 2012;45(9):1656-60.",
    doi: Some("10.1016/j.jbiomech.2012.03.020"),
    pmid: Some("22503882"),
    checked: Checked::AgainstSource,
};

/// Cipriani 1995: muscle activity in backward walking on inclines.
pub const CIPRIANI_1995: Source = Source {
    id: "cipriani-1995",
    short: "Cipriani et al. 1995",
    reference: "Cipriani DJ et al. Backward treadmill walking at 0, 5 and 10% incline: muscle activity and kinematics. J Orthop Sports Phys Ther 1995;22(3):95-102.",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Aksentijevic 2019: backward motion and memory.
pub const AKSENTIJEVIC_2019: Source = Source {
    id: "aksentijevic-2019",
    short: "Aksentijevic et al. 2019",
    reference: "Aksentijevic A, Brandt KR, Tsakanikos E, Thorpe MJA. Backward motion and recall (six experiments). Cognition 2019;182:242-250.",
    doi: Some("10.1016/j.cognition.2018.10.007"),
    pmid: Some("30368065"),
    checked: Checked::AgainstSource,
};

/// Almutairi 2023: a trial protocol (no results) for backward walking on an LBPP treadmill.
pub const ALMUTAIRI_2023: Source = Source {
    id: "almutairi-2023",
    short: "Almutairi et al. 2023 (trial protocol, no results)",
    reference: "Almutairi SM, Almutairi MK, Alotaibi MM, Alshehri M, Alenazi AM. Trial protocol: backward vs forward walking on a lower-body positive pressure treadmill in knee osteoarthritis. J Orthop Surg Res 2023;18:264.",
    doi: Some("10.1186/s13018-023-03711-x"),
    pmid: Some("37005596"),
    checked: Checked::AgainstSource,
};

/// Expert opinion in popular articles and fitness blogs (physical therapists quoted in magazines).
pub const PRACTICE_ADVICE: Source = Source {
    id: "practice-advice",
    short: "Practice advice in popular articles (expert opinion, not trial data)",
    reference: "Syndicated fitness-magazine article quoting physical therapists, and several fitness blogs. Expert opinion only.",
    doi: None,
    pmid: None,
    checked: Checked::SecondaryCopy,
};

/// PAR-Q+ 2023: the topics of its seven general questions.
pub const PAR_Q_PLUS: Source = Source {
    id: "par-q-plus-2023",
    short: "PAR-Q+ 2023 (PAR-Q+ Collaboration)",
    reference: "PAR-Q+ Collaboration (Warburton DER et al.). The Physical Activity Readiness Questionnaire for Everyone (PAR-Q+), 2023 edition. The product asks about the same topics in its own words.",
    doi: None,
    pmid: None,
    checked: Checked::SecondaryCopy,
};

/// ACSM preparticipation screening (Riebe 2015).
pub const RIEBE_2015: Source = Source {
    id: "riebe-2015",
    short: "Riebe et al. 2015 (ACSM preparticipation screening)",
    reference: "Riebe D et al. Updating ACSM's recommendations for exercise preparticipation health screening. Med Sci Sports Exerc 2015;47(11):2473-79.",
    doi: None,
    pmid: None,
    checked: Checked::Unverified,
};

/// Carter 2019: the original 3MBWT paper.
pub const CARTER_2019: Source = Source {
    id: "carter-2019",
    short: "Carter et al. 2019",
    reference: "Carter V et al. The 3-m backwards walk and retrospective falls: diagnostic accuracy of a novel clinical measure. J Geriatr Phys Ther 2019;42(4):249-255.",
    doi: Some("10.1519/JPT.0000000000000149"),
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Polo-Ferrero 2025: 3MBWT in 483 community-dwelling older adults.
pub const POLO_FERRERO_2025: Source = Source {
    id: "polo-ferrero-2025",
    short: "Polo-Ferrero et al. 2025",
    reference: "Polo-Ferrero L et al. 3-metre backward walk test and falls in 483 community-dwelling older adults. J Funct Morphol Kinesiol 2025;10(2):154.",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Kapan 2025: 3MBWT in nursing-home residents.
pub const KAPAN_2025: Source = Source {
    id: "kapan-2025",
    short: "Kapan et al. 2025",
    reference: "Kapan A et al. 3-metre backward walk test and falls in nursing-home residents. J Am Med Dir Assoc 2025.",
    doi: Some("10.1016/j.jamda.2025.105580"),
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Carter 2020: 3MBWT in Parkinson's disease.
pub const CARTER_2020: Source = Source {
    id: "carter-2020",
    short: "Carter et al. 2020",
    reference: "Carter VA et al. 3-metre backward walk test and falls in Parkinson's disease. Top Geriatr Rehabil 2020;36(3):140-145.",
    doi: Some("10.1097/TGR.0000000000000272"),
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Koçer, Söke 2023: 3MBWT reliability and cut-off in Parkinson's disease.
pub const KOCER_SOKE_2023: Source = Source {
    id: "kocer-soke-2023",
    short: "Koçer, Söke et al. 2023",
    reference: "Koçer B, Söke F et al. 3-metre backward walk test in Parkinson's disease: reliability and cut-off. Ir J Med Sci 2023;192(6):3063-3071.",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Söke 2022: 3MBWT in multiple sclerosis.
pub const SOKE_2022: Source = Source {
    id: "soke-2022",
    short: "Söke et al. 2022",
    reference: "Söke F et al. 3-metre backward walk test in multiple sclerosis: reliability. Int J Rehabil Res 2022;45(3):209-214.",
    doi: Some("10.1097/MRR.0000000000000530"),
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Abit Kocaman 2021: 3MBWT in stroke.
pub const ABIT_KOCAMAN_2021: Source = Source {
    id: "abit-kocaman-2021",
    short: "Abit Kocaman et al. 2021",
    reference: "Abit Kocaman A et al. 3-metre backward walk test in stroke: reliability. J Stroke Cerebrovasc Dis 2021;30:105462.",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Özden 2021: 3MBWT reliability in community older adults.
pub const OZDEN_2021: Source = Source {
    id: "ozden-2021",
    short: "Özden et al. 2021",
    reference: "Özden F et al. 3-metre backward walk test in community older adults: reliability. Ir J Med Sci 2021;191(2):921-928.",
    doi: None,
    pmid: Some("33715071"),
    checked: Checked::AgainstSource,
};

/// Farrar 2001: clinically important change in pain NRS.
pub const FARRAR_2001: Source = Source {
    id: "farrar-2001",
    short: "Farrar et al. 2001",
    reference: "Farrar JT et al. Clinically important change on the 0-10 pain rating scale. Pain 2001;94:149-158.",
    doi: None,
    pmid: None,
    // Title and design checked; the 2-point/30% conclusion is recalled.
    checked: Checked::Unverified,
};

/// Salaffi 2004: MCID of pain NRS in chronic musculoskeletal pain.
pub const SALAFFI_2004: Source = Source {
    id: "salaffi-2004",
    short: "Salaffi et al. 2004",
    reference: "Salaffi F et al. Minimal clinically important change of the pain rating scale in chronic musculoskeletal pain. Eur J Pain 2004;8:283-291.",
    doi: None,
    pmid: Some("15207508"),
    checked: Checked::AgainstSource,
};

/// Springer 2007: single-leg stance norms.
pub const SPRINGER_2007: Source = Source {
    id: "springer-2007",
    short: "Springer et al. 2007",
    reference: "Springer BA et al. Single-leg (unipedal) stance norms with eyes open and closed, 549 healthy adults. J Geriatr Phys Ther 2007;30(1):8-15.",
    doi: Some("10.1519/00139143-200704000-00003"),
    pmid: None,
    // The design was checked; the eyes-closed table only in a secondary copy, eyes-open recalled.
    checked: Checked::SecondaryCopy,
};

/// Borg's rating of perceived exertion (6-20).
pub const BORG_RPE: Source = Source {
    id: "borg-rpe",
    short: "Borg rating of perceived exertion (6-20)",
    reference: "Borg G. Rating of perceived exertion, 6 (no exertion at all) to 20 (maximal exertion).",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// A clinical trial registration whose sessions had 5-minute warm-ups and cool-downs.
pub const NCT05585385: Source = Source {
    id: "nct05585385",
    short: "Trial NCT05585385",
    reference: "ClinicalTrials.gov NCT05585385: backward walking at self-selected speed, 30 min, 3 times a week for 6 weeks, 0% incline, with 5-minute warm-up and cool-down.",
    doi: None,
    pmid: None,
    checked: Checked::AgainstSource,
};

/// Every source, for listings and for the test that each is well-formed.
pub const ALL_SOURCES: &[Source] = &[
    COMPENDIUM_2011,
    COMPENDIUM_2024,
    ACSM_EQUATIONS,
    HOOPER_2004,
    HEATH_2001,
    FLYNN_1994,
    ALGHADIR_2019,
    CHANG_2021,
    ROSE_2018,
    TERBLANCHE_2005,
    ANSARI_2018,
    ROOS_2012,
    CIPRIANI_1995,
    AKSENTIJEVIC_2019,
    ALMUTAIRI_2023,
    PRACTICE_ADVICE,
    PAR_Q_PLUS,
    RIEBE_2015,
    CARTER_2019,
    POLO_FERRERO_2025,
    KAPAN_2025,
    CARTER_2020,
    KOCER_SOKE_2023,
    SOKE_2022,
    ABIT_KOCAMAN_2021,
    OZDEN_2021,
    FARRAR_2001,
    SALAFFI_2004,
    SPRINGER_2007,
    BORG_RPE,
    NCT05585385,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn source_ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for s in ALL_SOURCES {
            assert!(seen.insert(s.id), "duplicate source id {}", s.id);
            assert!(
                s.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                s.id
            );
        }
    }

    #[test]
    fn dois_look_like_dois() {
        for s in ALL_SOURCES {
            if let Some(doi) = s.doi {
                assert!(doi.starts_with("10."), "{}: {doi}", s.id);
            }
        }
    }

    #[test]
    fn link_prefers_doi_then_pubmed() {
        assert_eq!(
            ALGHADIR_2019.link().as_deref(),
            Some("https://doi.org/10.1186/s12891-019-2537-9")
        );
        assert_eq!(
            HOOPER_2004.link().as_deref(),
            Some("https://pubmed.ncbi.nlm.nih.gov/15029939/")
        );
        assert_eq!(PRACTICE_ADVICE.link(), None);
    }
}
