// Word lists for realistic names and text. Changing any list changes every dataset: the golden-hash test will
// say so, and the hash must then be updated on purpose.

export interface CategorySeed {
  slug: string;
  name: string;
  /** Price range in whole dollars. */
  dollars: readonly [number, number];
  nouns: readonly string[];
  features: readonly string[];
}

export const CATEGORIES: readonly CategorySeed[] = [
  {
    slug: 'electronics',
    name: 'Electronics',
    dollars: [19, 899],
    nouns: ['Headphones', 'Speaker', 'Earbuds', 'Soundbar', 'Tablet', 'Smartwatch', 'Projector', 'Camera', 'Charger'],
    features: ['Wireless', 'Bluetooth', '4K', 'Noise-Cancelling', 'Portable', 'Smart', 'Waterproof', 'USB-C'],
  },
  {
    slug: 'computers',
    name: 'Computers',
    dollars: [15, 2499],
    nouns: ['Laptop', 'Monitor', 'Keyboard', 'Mouse', 'Webcam', 'Router', 'Docking Station', 'SSD', 'Desktop'],
    features: ['Mechanical', 'Ergonomic', 'Ultrawide', 'Gaming', 'Compact', 'Backlit', 'Dual-Band', 'Silent'],
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    dollars: [9, 499],
    nouns: ['Blender', 'Kettle', 'Toaster', 'Skillet', 'Knife Set', 'Coffee Maker', 'Cutting Board', 'Dutch Oven'],
    features: ['Stainless', 'Cast-Iron', 'Nonstick', 'Electric', 'Bamboo', 'Ceramic', 'Programmable', 'Glass'],
  },
  {
    slug: 'furniture',
    name: 'Furniture',
    dollars: [39, 1899],
    nouns: ['Desk', 'Chair', 'Bookshelf', 'Sofa', 'Coffee Table', 'Bed Frame', 'Nightstand', 'Dresser', 'Stool'],
    features: ['Oak', 'Walnut', 'Standing', 'Folding', 'Upholstered', 'Modular', 'Rattan', 'Mid-Century'],
  },
  {
    slug: 'garden-outdoor',
    name: 'Garden & Outdoor',
    dollars: [7, 699],
    nouns: ['Planter', 'Hose', 'Grill', 'Lantern', 'Hammock', 'Pruner', 'Bird Feeder', 'Patio Umbrella'],
    features: ['Solar', 'Weatherproof', 'Expandable', 'Terracotta', 'Galvanized', 'Foldable', 'Cedar', 'Raised'],
  },
  {
    slug: 'sports-fitness',
    name: 'Sports & Fitness',
    dollars: [8, 1299],
    nouns: ['Yoga Mat', 'Dumbbell Set', 'Kettlebell', 'Jump Rope', 'Treadmill', 'Bike Helmet', 'Water Bottle'],
    features: ['Adjustable', 'Non-Slip', 'Insulated', 'Lightweight', 'Resistance', 'Carbon', 'Padded', 'Pro'],
  },
  {
    slug: 'outdoor-gear',
    name: 'Outdoor Gear',
    dollars: [12, 799],
    nouns: ['Tent', 'Backpack', 'Sleeping Bag', 'Headlamp', 'Trekking Poles', 'Camp Stove', 'Cooler', 'Compass'],
    features: ['Ultralight', 'Four-Season', 'Rechargeable', 'Packable', 'Ripstop', 'Trail', 'Alpine', 'Rugged'],
  },
  {
    slug: 'toys-games',
    name: 'Toys & Games',
    dollars: [5, 249],
    nouns: ['Puzzle', 'Board Game', 'Building Set', 'Plush Bear', 'Card Game', 'Kite', 'Train Set', 'Robot Kit'],
    features: ['Wooden', 'Magnetic', 'Cooperative', 'Educational', 'Glow', 'Classic', 'Strategy', 'Deluxe'],
  },
  {
    slug: 'books',
    name: 'Books',
    dollars: [6, 89],
    nouns: ['Cookbook', 'Novel', 'Field Guide', 'Atlas', 'Sketchbook', 'Journal', 'Poetry Collection', 'Handbook'],
    features: ['Hardcover', 'Illustrated', 'Annotated', 'Pocket', 'Collector', 'Revised', 'Spiral', 'Large-Print'],
  },
  {
    slug: 'beauty',
    name: 'Beauty',
    dollars: [4, 189],
    nouns: ['Serum', 'Moisturizer', 'Cleanser', 'Hair Dryer', 'Lip Balm', 'Sunscreen', 'Face Mask', 'Shampoo'],
    features: ['Hydrating', 'Vitamin-C', 'Fragrance-Free', 'Organic', 'Mineral', 'Overnight', 'Gentle', 'Argan'],
  },
  {
    slug: 'pet-supplies',
    name: 'Pet Supplies',
    dollars: [4, 349],
    nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Litter Box', 'Chew Toy', 'Aquarium', 'Pet Fountain', 'Harness'],
    features: ['Orthopedic', 'Reflective', 'Self-Cleaning', 'Washable', 'Durable', 'Calming', 'Automatic', 'Cozy'],
  },
  {
    slug: 'office-supplies',
    name: 'Office Supplies',
    dollars: [3, 299],
    nouns: ['Notebook', 'Pen Set', 'Desk Organizer', 'Stapler', 'Label Maker', 'Whiteboard', 'Desk Lamp', 'Planner'],
    features: ['Refillable', 'Recycled', 'Magnetic', 'Dotted', 'Heavy-Duty', 'Minimalist', 'LED', 'Weekly'],
  },
];

export const BRANDS: readonly string[] = [
  'Acme', 'Northwind', 'Contoso', 'Fabrikam', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tyrell',
  'Aperture', 'Hooli', 'Vandelay', 'Soylent', 'Wonka', 'Cyberdyne', 'Oceanic', 'Monarch', 'Pied Piper', 'Gringotts',
  'Bluth', 'Duff', 'Krusty', 'Nakatomi', 'Prestige', 'Sirius', 'Zorg', 'Axiom', 'Halcyon', 'Lumen',
];

export const ADJECTIVES: readonly string[] = [
  'Classic', 'Premium', 'Essential', 'Everyday', 'Compact', 'Deluxe', 'Modern', 'Vintage', 'Sleek', 'Rugged',
  'Elegant', 'Basic', 'Advanced', 'Eco', 'Urban', 'Nordic', 'Studio', 'Travel', 'Family', 'Signature',
];

export const SERIES: readonly string[] = ['', '', '', '', 'Mini', 'Max', 'Plus', 'Lite', 'II', 'X', 'S', '2'];

export const DESCRIPTION_OPENERS: readonly string[] = [
  'Built for daily use',
  'Designed with care',
  'A customer favourite',
  'Made to last',
  'Thoughtfully engineered',
  'Simple and reliable',
  'Our most versatile pick',
  'Crafted from quality materials',
];

export const DESCRIPTION_CLAIMS: readonly string[] = [
  'it fits neatly into any routine',
  'it balances performance and value',
  'it is easy to set up and easy to clean',
  'it holds up to years of heavy use',
  'it looks as good as it works',
  'it packs a lot into a small footprint',
  'it was tested by our team for months',
  'it comes with everything you need to get started',
];

export const DESCRIPTION_DETAILS: readonly string[] = [
  'Backed by a two-year warranty.',
  'Ships in recyclable packaging.',
  'Free returns within 30 days.',
  'Available while stocks last.',
  'Pairs well with the rest of the range.',
  'Rated highly by reviewers for build quality.',
  'Replacement parts are available.',
  'Care instructions are included in the box.',
];

export const REVIEW_TITLES: Readonly<Record<number, readonly string[]>> = {
  1: ['Very disappointed', 'Broke quickly', 'Not as described', 'Would not buy again', 'Returned it'],
  2: ['Not great', 'Below expectations', 'Mediocre at best', 'Had some issues', 'Could be better'],
  3: ['Okay for the price', 'Does the job', 'Average', 'Mixed feelings', 'Decent but not great'],
  4: ['Very good', 'Solid purchase', 'Happy with it', 'Good value', 'Works well'],
  5: ['Excellent', 'Love it', 'Exceeded expectations', 'Highly recommend', 'Best purchase this year'],
};

export const REVIEW_SENTENCES: Readonly<Record<number, readonly string[]>> = {
  1: [
    'It stopped working after a week.',
    'The quality is much lower than the photos suggest.',
    'Customer support did not help.',
    'I expected far more for the money.',
  ],
  2: [
    'It works, but it feels cheap.',
    'Setup was more difficult than it should be.',
    'Some parts arrived scratched.',
    'It is smaller than I expected.',
  ],
  3: [
    'It does what it says, nothing more.',
    'Fine for occasional use.',
    'Shipping was fast and packaging was good.',
    'There are better options, but this one is acceptable.',
  ],
  4: [
    'It works well and looks nice.',
    'Good quality for the price.',
    'I use it every day without problems.',
    'Only minor complaints about the instructions.',
  ],
  5: [
    'Absolutely worth every penny.',
    'The build quality is outstanding.',
    'I bought a second one as a gift.',
    'It made my daily routine so much easier.',
  ],
};

export const FIRST_NAMES: readonly string[] = [
  'Ava', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jack', 'Kira', 'Liam', 'Maya',
  'Noah', 'Olivia', 'Pablo', 'Quinn', 'Ruby', 'Sam', 'Tara', 'Umar', 'Vera', 'Will', 'Xena', 'Yusuf', 'Zoe',
];

export const LAST_INITIALS = 'ABCDEFGHIJKLMNOPRSTVWY';
