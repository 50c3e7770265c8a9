"""Partner briefings: the city resources catalogue, and handouts made for partners, prospective
organisations and neighbourhoods, stored exactly as they were handed over."""
