use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PizzaError {
    #[error("unknown size '{0}': choose small, medium, large or jumbo")]
    UnknownSize(String),
    #[error("unknown topping '{0}'")]
    UnknownTopping(String),
    #[error("'{0}' is listed more than once")]
    DuplicateTopping(Topping),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    Small,
    Medium,
    Large,
    Jumbo,
}

impl Size {
    pub const ALL: [Size; 4] = [Size::Small, Size::Medium, Size::Large, Size::Jumbo];

    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
            Size::Jumbo => "jumbo",
        }
    }

    /// Parses a size as people say or type it, case-insensitively.
    pub fn parse(raw: &str) -> Result<Self, PizzaError> {
        let normal = raw.trim().to_ascii_lowercase();
        let size = match normal.as_str() {
            "small" | "personal" => Size::Small,
            "medium" | "regular" => Size::Medium,
            "large" | "big" => Size::Large,
            "jumbo" | "extra large" | "family" | "family size" => Size::Jumbo,
            _ => return Err(PizzaError::UnknownSize(raw.trim().to_string())),
        };
        Ok(size)
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The seed's eleven toppings (slot type `PIZZA_TOPPINGS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topping {
    Pepperoni,
    Mushrooms,
    Onions,
    Sausage,
    Bacon,
    ExtraCheese,
    BlackOlives,
    GreenPeppers,
    Pineapple,
    Spinach,
    Chicken,
}

impl Topping {
    pub const ALL: [Topping; 11] = [
        Topping::Pepperoni,
        Topping::Mushrooms,
        Topping::Onions,
        Topping::Sausage,
        Topping::Bacon,
        Topping::ExtraCheese,
        Topping::BlackOlives,
        Topping::GreenPeppers,
        Topping::Pineapple,
        Topping::Spinach,
        Topping::Chicken,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Topping::Pepperoni => "pepperoni",
            Topping::Mushrooms => "mushrooms",
            Topping::Onions => "onions",
            Topping::Sausage => "sausage",
            Topping::Bacon => "bacon",
            Topping::ExtraCheese => "extra cheese",
            Topping::BlackOlives => "black olives",
            Topping::GreenPeppers => "green peppers",
            Topping::Pineapple => "pineapple",
            Topping::Spinach => "spinach",
            Topping::Chicken => "chicken",
        }
    }

    /// Parses a topping by its name, its snake_case id or a common variant.
    pub fn parse(raw: &str) -> Result<Self, PizzaError> {
        let normal = raw.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        let topping = match normal.as_str() {
            "pepperoni" | "pepperonis" => Topping::Pepperoni,
            "mushrooms" | "mushroom" | "shrooms" => Topping::Mushrooms,
            "onions" | "onion" => Topping::Onions,
            "sausage" | "sausages" | "italian sausage" => Topping::Sausage,
            "bacon" => Topping::Bacon,
            "extra cheese" | "cheese" | "double cheese" => Topping::ExtraCheese,
            "black olives" | "black olive" | "olives" | "olive" => Topping::BlackOlives,
            "green peppers" | "green pepper" | "peppers" | "bell peppers" => Topping::GreenPeppers,
            "pineapple" | "pineapples" => Topping::Pineapple,
            "spinach" => Topping::Spinach,
            "chicken" | "grilled chicken" => Topping::Chicken,
            _ => return Err(PizzaError::UnknownTopping(raw.trim().to_string())),
        };
        Ok(topping)
    }
}

impl fmt::Display for Topping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Zero or more distinct toppings, in the order they were asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<Topping>", into = "Vec<Topping>")]
pub struct Toppings(Vec<Topping>);

impl Toppings {
    pub fn new(list: Vec<Topping>) -> Result<Self, PizzaError> {
        for (i, topping) in list.iter().enumerate() {
            if list[..i].contains(topping) {
                return Err(PizzaError::DuplicateTopping(*topping));
            }
        }
        Ok(Self(list))
    }

    pub fn as_slice(&self) -> &[Topping] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<Vec<Topping>> for Toppings {
    type Error = PizzaError;
    fn try_from(value: Vec<Topping>) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Toppings> for Vec<Topping> {
    fn from(value: Toppings) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pizza {
    pub size: Size,
    pub toppings: Toppings,
}

impl Pizza {
    /// "large pizza with pepperoni and mushrooms", "small cheese pizza".
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self.toppings.as_slice().iter().map(|t| t.name()).collect();
        match names.as_slice() {
            [] => format!("{} cheese pizza", self.size),
            [one] => format!("{} pizza with {one}", self.size),
            [init @ .., last] => format!("{} pizza with {} and {last}", self.size, init.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_toppings_parse_case_insensitively_with_variants() {
        assert_eq!(Size::parse(" Large "), Ok(Size::Large));
        assert_eq!(Size::parse("extra large"), Ok(Size::Jumbo));
        assert_eq!(Size::parse("gigantic"), Err(PizzaError::UnknownSize("gigantic".into())));
        assert_eq!(Topping::parse("Black Olives"), Ok(Topping::BlackOlives));
        assert_eq!(Topping::parse("extra_cheese"), Ok(Topping::ExtraCheese));
        assert_eq!(Topping::parse("anchovies"), Err(PizzaError::UnknownTopping("anchovies".into())));
        for topping in Topping::ALL {
            assert_eq!(Topping::parse(topping.name()), Ok(topping));
        }
    }

    #[test]
    fn toppings_refuse_duplicates() {
        assert!(Toppings::new(vec![Topping::Bacon, Topping::Onions]).is_ok());
        assert_eq!(
            Toppings::new(vec![Topping::Bacon, Topping::Bacon]),
            Err(PizzaError::DuplicateTopping(Topping::Bacon))
        );
        let parsed: Result<Toppings, _> = serde_json::from_str(r#"["bacon","bacon"]"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn describes_pizzas_in_plain_english() {
        let pizza = |toppings: Vec<Topping>| Pizza { size: Size::Large, toppings: Toppings::new(toppings).unwrap() };
        assert_eq!(pizza(vec![]).describe(), "large cheese pizza");
        assert_eq!(pizza(vec![Topping::Pepperoni]).describe(), "large pizza with pepperoni");
        assert_eq!(
            pizza(vec![Topping::Pepperoni, Topping::Onions, Topping::Bacon]).describe(),
            "large pizza with pepperoni, onions and bacon"
        );
    }
}
